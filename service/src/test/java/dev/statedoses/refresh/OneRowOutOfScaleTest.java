package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One count far out of line in a place that counts for no state (Federal Entities, a territory),
 * or in a place of too few weeks to judge by its own: named at its line. Before, Federal Entities'
 * Moderna first doses of one week written with three digits too many were blamed on the whole week
 * ("is every count of that week at another scale?"), without a line, and so was Guam's one count of
 * 2147483653; outlying_allocations.sql judged the states' places only, and allocation_scales.sql
 * did not look at which row made its week.
 *
 * <p>Generated national files of {@code weeks} weeks from 2021-01-04: each week the 54 places
 * (states in alphabetical order, then DC, New York City, Chicago, Philadelphia), place i with 1,000
 * + 10i of each dose, then Federal Entities with 2,000 and Guam with 100; Pfizer's file the same
 * with 1,200 + 10i. Line of place i in week w: 2 + 56w + i (Federal Entities i = 54, Guam 55).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneRowOutOfScaleTest {

    private static final int FEDERAL = 54;
    private static final int GUAM = 55;
    private static final int TEXAS = NationalFiles.PLACES.indexOf("Texas");

    private FixtureServer upstream;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    private static String name(int i) {
        return i == FEDERAL ? "Federal Entities" : i == GUAM ? "Guam" : NationalFiles.PLACES.get(i);
    }

    private static long usual(boolean pfizer, int i) {
        return i == FEDERAL ? 2000 : i == GUAM ? 100 : (pfizer ? 1200 : 1000) + 10L * i;
    }

    private static String week(int w) {
        return LocalDate.of(2021, 1, 4).plusWeeks(w).toString();
    }

    private static long line(int week, int place) {
        return 2 + 56L * week + place;
    }

    /** One cell written instead of its usual count: both doses of the place's week when {@code both}. */
    private record Cell(boolean pfizer, int place, int week, boolean both, long doses) {
    }

    private static String file(boolean pfizer, int weeks, Cell cell) {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            for (int i = 0; i < 56; i++) {
                long first = usual(pfizer, i);
                long second = first;
                if (cell.pfizer() == pfizer && cell.place() == i && cell.week() == w) {
                    first = cell.doses();
                    second = cell.both() ? cell.doses() : second;
                }
                lines.add("\"" + name(i) + "\",\"" + week(w) + "T00:00:00.000\",\"" + first + "\",\"" + second + "\"");
            }
        }
        return NationalFiles.file(lines);
    }

    /** A normal week's doses in one file. */
    private static long normalWeek(boolean pfizer) {
        long doses = 0;
        for (int i = 0; i < 56; i++) {
            doses += 2 * usual(pfizer, i);
        }
        return doses;
    }

    private ValidatableResponse refresh(String name, int weeks, Cell cell) {
        return NationalFiles.refresh(upstream, name, file(false, weeks, cell), file(true, weeks, cell), app -> { });
    }

    @Test
    void federalEntitiesCountWithDigitsTooManyIsNamedAtItsLine() {
        // Moderna's first doses of the third week: 2,000 written 2,000,000, among 6 weeks.
        refresh("federal", 6, new Cell(false, FEDERAL, 2, false, 2_000_000))
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("line", equalTo((int) line(2, FEDERAL)))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("state", nullValue())
            .body("detail", equalTo("moderna source (" + upstream.url("/federal/m.csv") + "), line "
                + line(2, FEDERAL) + ", column _1st_dose_allocations: Federal Entities has 2000000 first doses in the "
                + "week of 2021-01-18, 1000.0 times the average of its 5 other weeks with first doses in the moderna "
                + "source (2000): digits too many? They count for no state, but the refresh's report would give them "
                + "among its exclusions and in its totals of doses."));
    }

    /** The detail of a row that makes its week {@code doses} in all, against a median week of {@code median}. */
    private static String rowDetail(String place, long rowDoses, int week, String source, long doses, long median,
                                    String published) {
        return place + " has " + rowDoses + " first doses in the week of " + week(week) + ", which put the week's doses "
            + "in the " + source + " source at " + doses + ", " + ratio(doses, median) + " times the file's median week ("
            + median + "); without its row the week is " + ratio(doses - 2 * rowDoses, median) + " times it: digits too "
            + "many? " + published;
    }

    private static String ratio(long doses, long median) {
        return BigDecimal.valueOf(doses).divide(BigDecimal.valueOf(median), 2, RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    void guamsOneCountInThreeWeeksIsNamedAtItsLine() {
        // Three weeks: too few for a place's own weeks to say what is usual (outlying_allocations),
        // so the week is over 4 times the median, and the week without Guam's row is not. Both
        // doses written 2147483653, as the audit's file had one.
        long huge = 2_147_483_653L;
        long median = normalWeek(true);
        long doses = median - 2 * usual(true, GUAM) + 2 * huge;
        refresh("guam", 3, new Cell(true, GUAM, 1, true, huge))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", equalTo((int) line(1, GUAM)))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("state", nullValue())
            .body("detail", containsString(": " + rowDetail("Guam", huge, 1, "pfizer", doses,
                median, "They count for no state, but the refresh's report would give them among its exclusions and in "
                    + "its totals of doses.")));
    }

    @Test
    void aStatesOneCountInThreeWeeksIsNamedWithItsState() {
        long median = normalWeek(false);
        long count = usual(false, TEXAS) * 5_000;
        long doses = median - 2 * usual(false, TEXAS) + 2 * count;
        refresh("texas", 3, new Cell(false, TEXAS, 0, true, count))
            .statusCode(422)
            .body("line", equalTo((int) line(0, TEXAS)))
            .body("state", equalTo("Texas"))
            .body("detail", containsString(": " + rowDetail("Texas", count, 0, "moderna", doses, median,
                "Texas would be published with them.")));
    }

    @Test
    void generatedSingleCountsAreNamedAtTheirLines() {
        // Any place, any week, any file, 3 weeks: a count large enough to put its week over 4
        // times, and whose week without it is in line.
        Random random = new Random(20261207);
        for (int round = 0; round < 4; round++) {
            boolean pfizer = random.nextBoolean();
            int place = random.nextInt(56);
            int week = random.nextInt(3);
            long count = normalWeek(pfizer) * (3 + random.nextInt(50)) + random.nextInt(1000);
            String state = place == FEDERAL || place == GUAM ? null : NationalFiles.stateOf(name(place));
            refresh("gen-" + round, 3, new Cell(pfizer, place, week, true, count))
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("line", equalTo((int) line(week, place)))
                .body("column", equalTo("_1st_dose_allocations"))
                .body("state", equalTo(state))
                .body("detail", containsString(": " + name(place) + " has " + count + " first doses in the week of "
                    + week(week) + ", which put the week's doses"));
        }
    }

    @Test
    void aWholeWeekOutOfScaleIsStillTheWeeks() {
        // Every count of Pfizer's second week ten times: no one row makes it.
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 56; i++) {
                long doses = usual(true, i) * (w == 1 ? 10 : 1);
                lines.add("\"" + name(i) + "\",\"" + week(w) + "T00:00:00.000\",\"" + doses + "\",\"" + doses + "\"");
            }
        }
        NationalFiles.refresh(upstream, "week", file(false, 3, new Cell(true, 0, -1, false, 0)),
                NationalFiles.file(lines), app -> { })
            .statusCode(422)
            .body("line", nullValue())
            .body("column", equalTo("week_of_allocations"))
            .body("detail", containsString("the week of 2021-01-11 of the pfizer source allocates " + 10 * normalWeek(true)
                + " doses, 10.00 times the file's median week (" + normalWeek(true) + "): is every count of that week "
                + "at another scale?"));
    }
}
