package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.nio.charset.StandardCharsets;
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
 * the row counts (a row repeated, rows left out, part of one spliced into the other). Generated
 * files: 50 states over 4 weeks, 200 rows, random doses (seeded).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameAllocationsTest {

    private static final String HEADER =
        "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n";
    private static final List<String> STATES = List.of("Alabama", "Alaska", "Arizona", "Arkansas", "California",
        "Colorado", "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
        "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
        "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico",
        "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
        "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
        "West Virginia", "Wisconsin", "Wyoming");

    private FixtureServer upstream;
    private final List<String> moderna = new ArrayList<>();

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
        Random random = new Random(11);
        for (int week = 0; week < 4; week++) {
            for (String state : STATES) {
                long doses = 1 + random.nextInt(90_000);
                moderna.add("\"" + state + "\",\"" + LocalDate.of(2021, 1, 4).plusWeeks(week) + "T00:00:00.000\",\""
                    + doses + "\",\"" + doses + "\"");
            }
        }
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    /** Refreshes with the generated moderna file and {@code pfizer} made from its lines. */
    private io.restassured.response.ValidatableResponse refresh(String name, UnaryOperator<List<String>> pfizer) {
        byte[] m = (HEADER + String.join("\n", moderna) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] p = (HEADER + String.join("\n", pfizer.apply(new ArrayList<>(moderna))) + "\n")
            .getBytes(StandardCharsets.UTF_8);
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(upstream.serveFixtureSources(
                TestWarehouse.newDatabase())).moderna(upstream.serve("/" + name + "/m.csv", m))
                .pfizer(upstream.serve("/" + name + "/p.csv", p)).build())) {
            return app.given().post("/refresh").then();
        }
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
    void oneRowMoreThanAQuarterFails() {
        // 51 of 200 the same; the last week (rows 150 to 199) holds 13 of its 50, more than a quarter.
        refresh("quarter-and-one", editedWhere(i -> i % 4 != 3 && i != 0)).statusCode(422)
            .body("detail", containsString("the moderna and pfizer sources share 51 of their rows with doses"));
    }

    @Test
    void aQuarterTheSameIsNotACopy() {
        // Three rows of every four edited: 50 of 200 the same, not more than a quarter. The refresh
        // goes on to its other checks (the doses of these generated files are no state's real ones).
        refresh("quarter", editedWhere(i -> i % 4 != 3)).body("detail", org.hamcrest.Matchers.not(containsString("share")))
            .body("detail", org.hamcrest.Matchers.not(containsString("hold the same")));
    }
}
