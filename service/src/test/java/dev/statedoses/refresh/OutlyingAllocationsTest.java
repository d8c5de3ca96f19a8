package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
 * A count far out of line with the same place's other weeks: digits too many in one cell. Texas's
 * Moderna first doses of 2021-06-21 written 30004000 instead of 300040 put Texas at 0.47 people
 * per dose instead of 0.92, without a warning. Generated national files (every place, oldest week
 * first), place i (states in alphabetical order, then DC, New York City, Chicago, Philadelphia)
 * allocated moderna 20 × (121 + 3i) and pfizer 1,170 × (1 + i mod 5) of each dose every week,
 * Alaska and Vermont 0 (the fixture's populations would put them far from the median); then one
 * cell multiplied. Line of place i in week w: 2 + 54w + i.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutlyingAllocationsTest {

    private static final int TEXAS = 42;
    private static final int CHICAGO = 52;

    private FixtureServer upstream;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    /** One place's doses of one dose in one week of one file, as the file writes them. */
    private record Cell(boolean pfizer, int place, int week, boolean second, long doses) {
    }

    private static long usual(boolean pfizer, int place) {
        String name = NationalFiles.PLACES.get(place);
        return name.equals("Alaska") || name.equals("Vermont") ? 0
            : pfizer ? 1170L * (1 + place % 5) : 20L * (121 + 3 * place);
    }

    private static String week(int week) {
        return LocalDate.of(2021, 1, 4).plusWeeks(week).toString();
    }

    /** {@code weeks} weeks of one file, every place, with {@code cell} written instead where it falls. */
    private static String file(boolean pfizer, int weeks, Cell cell) {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            for (int i = 0; i < NationalFiles.PLACES.size(); i++) {
                long first = usual(pfizer, i);
                long second = first;
                if (cell != null && cell.pfizer() == pfizer && cell.place() == i && cell.week() == w) {
                    if (cell.second()) {
                        second = cell.doses();
                    } else {
                        first = cell.doses();
                    }
                }
                lines.add("\"" + NationalFiles.PLACES.get(i) + "\",\"" + week(w) + "T00:00:00.000\",\"" + first + "\",\""
                    + second + "\"");
            }
        }
        return NationalFiles.file(lines);
    }

    private ValidatableResponse refresh(String name, int weeks, Cell cell) {
        return NationalFiles.refresh(upstream, name, file(false, weeks, cell), file(true, weeks, cell), app -> { });
    }

    @Test
    void aCountAHundredTimesItsUsualFails() {
        // Texas's Moderna first doses of the third week: 4,940 a week, written 494,000.
        refresh("hundred", 6, new Cell(false, TEXAS, 2, false, 494_000))
            .statusCode(422)
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo("moderna"))
            .body("line", equalTo(152))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("state", equalTo("Texas"))
            .body("detail", equalTo("moderna source (" + upstream.url("/hundred/m.csv") + "), line 152, column "
                + "_1st_dose_allocations, state Texas: Texas has 494000 first doses in the week of 2021-01-18, 100.0 "
                + "times the average of its 5 other weeks with first doses in the moderna source (4940): digits too "
                + "many? Texas would be published with them."));
    }

    @Test
    void twentyTimesLoadsAndOverFails() {
        // 20 × 4,940 = 98,800 is not over the line; 98,801 is.
        refresh("twenty", 6, new Cell(false, TEXAS, 5, false, 98_800)).statusCode(200);
        refresh("over-twenty", 6, new Cell(false, TEXAS, 5, false, 98_801))
            .statusCode(422)
            .body("line", equalTo(2 + 54 * 5 + TEXAS))
            .body("detail", containsString("Texas has 98801 first doses in the week of 2021-02-08, 20.0 times"));
    }

    @Test
    void aCitysSecondDosesAreItsStates() {
        // Chicago's Pfizer second doses: 1,170 × 3 = 3,510 a week, written 3,510,000.
        refresh("city", 5, new Cell(true, CHICAGO, 0, true, 3_510_000))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", equalTo(2 + CHICAGO))
            .body("column", equalTo("_2nd_dose_allocations"))
            .body("state", equalTo("Illinois"))
            .body("detail", containsString("Chicago has 3510000 second doses in the week of 2021-01-04, 1000.0 times "
                + "the average of its 4 other weeks with second doses in the pfizer source (3510): digits too many? "
                + "Illinois would be published with them."));
    }

    @Test
    void fewerThanFourWeeksAreNotJudged() {
        // Three weeks with doses say nothing of what is usual: 25 times 4,940 loads (4 weeks fail it
        // above); the product's own checks see only Texas at 3.3 times under its usual people per dose.
        refresh("three", 3, new Cell(false, TEXAS, 1, false, 123_500)).statusCode(200);
        refresh("four", 4, new Cell(false, TEXAS, 1, false, 123_500)).statusCode(422)
            .body("detail", containsString("Texas has 123500 first doses in the week of 2021-01-11, 25.0 times"));
    }

    @Test
    void generatedCountsFarOutFail() {
        Random random = new Random(20261130);
        for (int round = 0; round < 6; round++) {
            int weeks = 4 + random.nextInt(4);
            int place;
            do {
                place = random.nextInt(NationalFiles.PLACES.size());
            } while (usual(false, place) == 0);
            boolean pfizer = random.nextBoolean();
            boolean second = random.nextBoolean();
            int week = random.nextInt(weeks);
            long factor = 25 + random.nextInt(5000);
            long doses = usual(pfizer, place) * factor;
            String name = NationalFiles.PLACES.get(place);
            String state = NationalFiles.stateOf(name);
            refresh("gen-" + round, weeks, new Cell(pfizer, place, week, second, doses))
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("line", equalTo(2 + 54 * week + place))
                .body("column", equalTo(second ? "_2nd_dose_allocations" : "_1st_dose_allocations"))
                .body("state", equalTo(state))
                .body("detail", containsString(name + " has " + doses + (second ? " second" : " first")
                    + " doses in the week of " + week(week) + ", " + factor + ".0 times the average of its "
                    + (weeks - 1) + " other weeks"));
        }
    }
}
