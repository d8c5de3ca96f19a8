package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.NationalFiles;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One allocation file served for both manufacturers, edited: with more than a quarter of the
 * smaller file's rows with doses also the other's, from 100 such rows, the refresh fails, whatever
 * the row counts and whichever weeks they are (a row repeated, rows left out, part of one spliced
 * into the other). Generated files (seeded random doses): 50 states over 4 weeks, 200 rows; and 5
 * states over 1,200 weeks, more weeks than the first comparison looks at in full.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameAllocationsTest {


    /** Weeks of the long file: more than the comparison looks at in full (Checks.COMPARED_WEEKS). */
    private static final int LONG_WEEKS = 1200;
    /** States of the long file. */
    private static final int LONG_STATES = 5;

    private FixtureServer upstream;
    private List<String> moderna;
    /** 5 states over 1,200 weeks: 6,000 rows, of which the first comparison sees a sample. */
    private List<String> longModerna;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
        moderna = generated(new Random(11), 4, NationalFiles.STATES);
        longModerna = generated(new Random(12), LONG_WEEKS, NationalFiles.STATES.subList(0, LONG_STATES));
    }

    /** Lines of {@code states} over {@code weeks} weeks from 2021-01-04, week by week, random doses. */
    private static List<String> generated(Random random, int weeks, List<String> states) {
        List<String> lines = new ArrayList<>();
        for (int week = 0; week < weeks; week++) {
            for (String state : states) {
                long doses = 1 + random.nextInt(90_000);
                lines.add("\"" + state + "\",\"" + LocalDate.of(2021, 1, 4).plusWeeks(week) + "T00:00:00.000\",\""
                    + doses + "\",\"" + doses + "\"");
            }
        }
        return lines;
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    /** Refreshes with the generated moderna file and {@code pfizer} made from its lines. */
    private io.restassured.response.ValidatableResponse refresh(String name, UnaryOperator<List<String>> pfizer) {
        return refresh(name, moderna, pfizer);
    }

    /** Refreshes with {@code moderna} and {@code pfizer} made from its lines. */
    private io.restassured.response.ValidatableResponse refresh(String name, List<String> moderna,
                                                                UnaryOperator<List<String>> pfizer) {
        String p = NationalFiles.file(pfizer.apply(new ArrayList<>(moderna)));
        return NationalFiles.refresh(upstream, name, NationalFiles.file(moderna), p, app -> { });
    }

    /** Line {@code i} with its first dose count raised by one: no longer moderna's. */
    private static String edited(String line) {
        String[] fields = line.split("\",\"");
        return fields[0] + "\",\"" + fields[1] + "\",\"" + (Long.parseLong(fields[2]) + 1) + "\",\"" + fields[3];
    }

    /** The lines with line {@code i} {@link #edited} wherever {@code edit} holds for {@code i}; the rest kept. */
    private static UnaryOperator<List<String>> editedWhere(IntPredicate edit) {
        return lines -> {
            for (int i = 0; i < lines.size(); i++) {
                if (edit.test(i)) {
                    lines.set(i, edited(lines.get(i)));
                }
            }
            return lines;
        };
    }

    @Test
    void aCopyWithRowsLeftOutAndACountEditedFails() {
        // 199 rows (the last left out), one of them edited: 198 of the 199 rows are moderna's.
        refresh("cut", lines -> {
            lines.remove(lines.size() - 1);
            lines.set(0, edited(lines.get(0)));
            return lines;
        }).statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("the moderna and pfizer sources share 198 of their rows with doses (200 in "
                + "moderna, 199 in pfizer)"));
    }

    @Test
    void aCopyWithARowRepeatedIsTheSameFile() {
        refresh("repeated", lines -> {
            lines.add(lines.get(7));
            return lines;
        }).statusCode(422)
            .body("detail", containsString("the moderna and pfizer sources hold the same 200 rows"));
    }

    @Test
    void fortyPercentSplicedInFails() {
        // Rows 0, 1 of every 5 kept, the rest edited: 80 of 200 the same, as when part of the
        // moderna file is pasted into the pfizer one.
        refresh("forty", editedWhere(i -> i % 5 >= 2)).statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("the moderna and pfizer sources share 80 of their rows with doses (200 in "
                + "moderna, 200 in pfizer)"));
    }

    @Test
    void theEarlierWeeksSplicedInFail() {
        // The first two weeks (rows 0 to 99) kept, the last two edited: 100 of 200 the same, none
        // of them in the last week both files reach.
        refresh("earlier", editedWhere(i -> i >= 100)).statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("the moderna and pfizer sources share 100 of their rows with doses (200 in "
                + "moderna, 200 in pfizer)"));
    }

    @Test
    void aSpliceOfSomeOfManyWeeksFails() {
        // 1,200 weeks: the first comparison sees about 1,000 of them. Weeks 300 to 749 kept
        // (2,250 of 6,000 rows, 37.5%), the rest edited: the sample shows it, and the whole
        // comparison counts every row.
        refresh("long-splice", longModerna, editedWhere(i -> i / LONG_STATES < 300 || i / LONG_STATES >= 750))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("the moderna and pfizer sources share 2250 of their rows with doses (6000 "
                + "in moderna, 6000 in pfizer)"));
    }

    @Test
    void aFifthOfManyWeeksTheSameIsNotACopy() {
        // Weeks 0 to 239 kept (1,200 of 6,000 rows, 20%): not more than a quarter. The refresh
        // goes on to its other checks (five states are not the country).
        refresh("long-fifth", longModerna, editedWhere(i -> i / LONG_STATES >= 240))
            .body("detail", org.hamcrest.Matchers.not(containsString("sources share")))
            .body("detail", org.hamcrest.Matchers.not(containsString("hold the same")));
    }

    @Test
    void oneRowMoreThanAQuarterFails() {
        // 51 of 200 the same, one more than a quarter.
        refresh("quarter-and-one", editedWhere(i -> i % 4 != 3 && i != 0)).statusCode(422)
            .body("detail", containsString("the moderna and pfizer sources share 51 of their rows with doses"));
    }

    @Test
    void aQuarterTheSameIsNotACopy() {
        // Three rows of every four edited: 50 of 200 the same, not more than a quarter. The refresh
        // goes on to its other checks (the doses of these generated files are no state's real ones).
        refresh("quarter", editedWhere(i -> i % 4 != 3)).body("detail", org.hamcrest.Matchers.not(containsString("sources share")))
            .body("detail", org.hamcrest.Matchers.not(containsString("hold the same")));
    }
}
