package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A national allocation file, or one of its weeks, at another scale than the rest
 * (sql/checks/sources/allocation_scales.sql): every count of a week ten times over, or a file in
 * vials of six doses. Generated national files of six weeks from 2021-01-04, every place i (states
 * in alphabetical order, then DC, New York City, Chicago, Philadelphia) allocated 1,000 + 10i of
 * each dose a week in Moderna's file and 1,200 + 10i in Pfizer's; a week's counts, or a file's,
 * then multiplied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllocationScalesTest {

    private static final int WEEKS = 6;

    private FixtureServer upstream;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    private static String week(int w) {
        return LocalDate.of(2021, 1, 4).plusWeeks(w).toString();
    }

    /** One file, its week {@code scaledWeek} (or every week, for -1) multiplied by {@code factor}. */
    private static String file(boolean pfizer, int scaledWeek, double factor) {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < WEEKS; w++) {
            for (int i = 0; i < NationalFiles.PLACES.size(); i++) {
                long usual = (pfizer ? 1200 : 1000) + 10L * i;
                long doses = scaledWeek == w || scaledWeek == -1 ? Math.round(usual * factor) : usual;
                lines.add("\"" + NationalFiles.PLACES.get(i) + "\",\"" + week(w) + "T00:00:00.000\",\"" + doses + "\",\""
                    + doses + "\"");
            }
        }
        return NationalFiles.file(lines);
    }

    private ValidatableResponse refresh(String name, String moderna, String pfizer) {
        return NationalFiles.refresh(upstream, name, moderna, pfizer, app -> { });
    }

    @Test
    void aWeekTenTimesOverFails() {
        // Pfizer's week of 2021-01-18, every count ten times: 10 times the median week.
        refresh("week", file(false, -1, 1), file(true, 2, 10))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", nullValue())
            .body("column", equalTo("week_of_allocations"))
            .body("detail", containsString("the week of 2021-01-18 of the pfizer source allocates "))
            .body("detail", containsString(" doses, 10.00 times the file's median week ("))
            .body("detail", containsString("): is every count of that week at another scale? Every state would be "
                + "published with them."));
    }

    @Test
    void fourTimesEitherWayIsTheLine() {
        refresh("week-3.9", file(false, 4, 3.9), file(true, -1, 1)).statusCode(200);
        refresh("week-4.1", file(false, 4, 4.1), file(true, -1, 1)).statusCode(422)
            .body("detail", containsString("the week of 2021-02-01 of the moderna source allocates"))
            .body("detail", containsString("4.10 times the file's median week"));
        refresh("week-1/3.9", file(false, 4, 1 / 3.9), file(true, -1, 1)).statusCode(200);
        refresh("week-1/4.1", file(false, 4, 1 / 4.1), file(true, -1, 1)).statusCode(422)
            .body("detail", containsString("0.24 times the file's median week"));
    }

    @Test
    void aFileInVialsFails() {
        // Pfizer's counts divided by six: over the states and DC, 1,450 / 6 = 241.7 a place a week
        // against Moderna's 1,250, 0.19 times.
        refresh("vials", file(false, -1, 1), file(true, -1, 1 / 6.0))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("detail", containsString("doses per 2020 census resident a week, 0.19 times the moderna source's "))
            .body("detail", containsString("are its counts in other units (vials, thousands)?"));
    }

    @Test
    void filesWithinThreeTimesEachOtherLoad() {
        // Pfizer's counts 2.4 times Moderna's (2 × 1.2), and a third of them (0.4): not judged so.
        refresh("double", file(false, -1, 1), file(true, -1, 2)).statusCode(200);
        refresh("third", file(false, -1, 1), file(true, -1, 1 / 3.0)).statusCode(200);
    }

    @Test
    void generatedWeeksFarOutFail() {
        Random random = new Random(20261201);
        for (int round = 0; round < 4; round++) {
            int w = random.nextInt(WEEKS);
            boolean pfizer = random.nextBoolean();
            // 5 to 19 times, or a 5th to a 19th: from 20 times, a place's own weeks show it first
            // (outlying_allocations).
            double factor = random.nextBoolean() ? 5 + random.nextInt(15) : 1.0 / (5 + random.nextInt(15));
            refresh("gen-" + round, file(false, pfizer ? -1 : w, pfizer ? 1 : factor),
                file(true, pfizer ? w : -1, pfizer ? factor : 1))
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("detail", containsString("the week of " + week(w) + " of the " + (pfizer ? "pfizer" : "moderna")
                    + " source allocates"));
        }
    }
}
