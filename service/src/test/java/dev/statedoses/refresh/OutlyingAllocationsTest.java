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
 * A count far out of line with the same place's other weeks: digits too many or too few in one
 * cell. Texas's Moderna first doses of 2021-06-21 written 30004000 instead of 300040 put Texas at
 * 0.47 people per dose instead of 0.92, without a warning; written 3000400, one digit too many, it
 * still loaded, as did 300040 with a digit lost. Two checks: outlying_allocations (a place's largest
 * week over 20 times the average of its others) and outlying_shares (a week's doses over 8 times,
 * or under an eighth of, the place's usual share of the week, the week's level being the other
 * states' doses per census resident).
 *
 * <p>Generated national files (every place, oldest week first), place i (states in alphabetical
 * order, then DC, New York City, Chicago, Philadelphia) allocated moderna 20 × (121 + 3i) and
 * pfizer 1,170 × (1 + i mod 5) of each dose every week, Alaska and Vermont 0 (the fixture's
 * populations would put them far from the median); then one cell changed. Line of place i in
 * week w: 2 + 54w + i. Every week of a place is the same, so its usual share is any week's; a
 * state's own cell is left out of its level, and a city has no census count: the factor written
 * is the factor reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutlyingAllocationsTest {

    private static final int CALIFORNIA = 4;
    private static final int DELAWARE = 7;
    private static final int TEXAS = 42;
    private static final int WYOMING = 49;
    private static final int CHICAGO = 52;
    /** A file of the first nine places: too few states for outlying_shares to judge a week. */
    private static final int REGIONAL = 9;

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

    /** A place drawn at random among those with doses (not Alaska, not Vermont). */
    private static int placeWithDoses(Random random) {
        int place;
        do {
            place = random.nextInt(NationalFiles.PLACES.size());
        } while (usual(false, place) == 0);
        return place;
    }

    private static String week(int week) {
        return LocalDate.of(2021, 1, 4).plusWeeks(week).toString();
    }

    /** {@code weeks} weeks of one file, the first {@code places} places, with {@code cell} written instead where it falls. */
    private static String file(boolean pfizer, int weeks, Cell cell, int places) {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            for (int i = 0; i < places; i++) {
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
        return refresh(name, weeks, cell, NationalFiles.PLACES.size());
    }

    private ValidatableResponse refresh(String name, int weeks, Cell cell, int places) {
        return NationalFiles.refresh(upstream, name, file(false, weeks, cell, places), file(true, weeks, cell, places),
            app -> { });
    }

    /** {@code answer} is second_doses' refusal of {@code state}'s second doses at {@code ratio} times its first. */
    private static void secondDosesOff(ValidatableResponse answer, String state, String ratio) {
        answer.statusCode(422)
            .body("column", equalTo("_2nd_dose_allocations"))
            .body("state", equalTo(state))
            .body("detail", containsString(" first doses (" + ratio + " times), though both vaccines are given in two "
                + "doses"));
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
        // In a file of nine places, which outlying_shares does not judge (in a national one, 20
        // times its usual share fails there first): Delaware's 2,840 Moderna first doses a week,
        // 20 × 2,840 = 56,800 is not over the line; 56,801 is.
        refresh("twenty", 6, new Cell(false, DELAWARE, 5, false, 56_800), REGIONAL).statusCode(200);
        refresh("over-twenty", 6, new Cell(false, DELAWARE, 5, false, 56_801), REGIONAL)
            .statusCode(422)
            .body("line", equalTo(2 + REGIONAL * 5 + DELAWARE))
            .body("detail", containsString("Delaware has 56801 first doses in the week of 2021-02-08, 20.0 times"));
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
        // Not judged here; in one column, though, it leaves Texas 14,820 second doses for 133,380
        // first (0.11 times), which second_doses refuses.
        secondDosesOff(refresh("three", 3, new Cell(false, TEXAS, 1, false, 123_500)), "Texas", "0.11");
        refresh("four", 4, new Cell(false, TEXAS, 1, false, 123_500)).statusCode(422)
            .body("detail", containsString("Texas has 123500 first doses in the week of 2021-01-11, 25.0 times"));
    }

    @Test
    void generatedCountsFarOutFail() {
        Random random = new Random(20261130);
        for (int round = 0; round < 6; round++) {
            int weeks = 4 + random.nextInt(4);
            int place = placeWithDoses(random);
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

    @Test
    void aDigitTooManyFails() {
        // Wyoming's Moderna first doses of the third week: 5,360, written 53,600.
        refresh("digit-more", 6, new Cell(false, WYOMING, 2, false, 53_600))
            .statusCode(422)
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo("moderna"))
            .body("line", equalTo(2 + 54 * 2 + WYOMING))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("state", equalTo("Wyoming"))
            .body("detail", equalTo("moderna source (" + upstream.url("/digit-more/m.csv") + "), line 159, column "
                + "_1st_dose_allocations, state Wyoming: Wyoming has 53600 first doses in the week of 2021-01-18 in "
                + "the moderna source, 10.0 times its usual share of that week's first doses (5360 at its usual "
                + "share, judged from its 5 other weeks with first doses): a digit too many? Wyoming would be "
                + "published with it."));
    }

    @Test
    void aDigitTooFewFails() {
        // California's Pfizer second doses of the fourth week: 1,170 × 5 = 5,850, written 585.
        refresh("digit-less", 6, new Cell(true, CALIFORNIA, 3, true, 585))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", equalTo(2 + 54 * 3 + CALIFORNIA))
            .body("column", equalTo("_2nd_dose_allocations"))
            .body("state", equalTo("California"))
            .body("detail", containsString("California has 585 second doses in the week of 2021-01-25 in the pfizer "
                + "source, 1/10.0 of its usual share of that week's second doses (5850 at its usual share, judged "
                + "from its 5 other weeks with second doses): a digit too few? California would be published with "
                + "it."));
    }

    @Test
    void twoCellsADigitOffAreSeenAsOne() {
        // Wyoming's Moderna first doses of the second and fifth weeks, each written 53,600: the
        // median of its six weeks is still 5,360 (a mean without its largest and smallest was not).
        List<String> moderna = new ArrayList<>(List.of(file(false, 6, new Cell(false, WYOMING, 1, false, 53_600),
            NationalFiles.PLACES.size()).split("\n")));
        int fifth = 1 + 54 * 4 + WYOMING;
        moderna.set(fifth, moderna.get(fifth).replace("\"5360\",\"5360\"", "\"53600\",\"5360\""));
        NationalFiles.refresh(upstream, "two-digits", String.join("\n", moderna) + "\n", file(true, 6, null,
                NationalFiles.PLACES.size()), app -> { })
            .statusCode(422)
            .body("line", equalTo(2 + 54 + WYOMING))
            .body("detail", containsString("Wyoming has 53600 first doses in the week of 2021-01-11 in the moderna "
                + "source, 10.0 times its usual share of that week's first doses (5360 at its usual share"));
    }

    @Test
    void eightTimesEitherWayIsTheLine() {
        // Wyoming 5,360 a week: 8 × 5,360 = 42,880; California's Pfizer 5,850 / 8 = 731.25.
        // Let by here; in one column, it leaves Wyoming 32,160 second doses for 69,679 first (0.46
        // times), which second_doses refuses.
        secondDosesOff(refresh("under-eight", 6, new Cell(false, WYOMING, 4, false, 42_879)), "Wyoming", "0.46");
        refresh("over-eight", 6, new Cell(false, WYOMING, 4, false, 42_881)).statusCode(422)
            .body("detail", containsString("Wyoming has 42881 first doses in the week of 2021-02-01 in the moderna "
                + "source, 8.0 times its usual share"));
        refresh("over-eighth", 6, new Cell(true, CALIFORNIA, 1, false, 732)).statusCode(200);
        refresh("under-eighth", 6, new Cell(true, CALIFORNIA, 1, false, 731)).statusCode(422)
            .body("detail", containsString("California has 731 first doses in the week of 2021-01-11 in the pfizer "
                + "source, 1/8.0 of its usual share"));
    }

    @Test
    void aCitysWeeksAreJudgedAgainstItsOwn() {
        // Chicago has no census count of its own: its share is its doses over the states' level,
        // compared with its other weeks. Moderna 20 × (121 + 156) = 5,540 a week, written 55,400.
        refresh("city-digit", 5, new Cell(false, CHICAGO, 4, false, 55_400))
            .statusCode(422)
            .body("line", equalTo(2 + 54 * 4 + CHICAGO))
            .body("state", equalTo("Illinois"))
            .body("detail", containsString("Chicago has 55400 first doses in the week of 2021-02-01 in the moderna "
                + "source, 10.0 times its usual share of that week's first doses (5540 at its usual share, judged "
                + "from its 4 other weeks with first doses): a digit too many? Illinois would be published with "
                + "it."));
    }

    @Test
    void sharesAreJudgedFromTenStatesAndFourWeeks() {
        // Delaware's 2,840 Moderna first doses written 28,400: the first ten places are ten states
        // (Alabama to Georgia), the first nine too few; four weeks with doses are judged, three not.
        refresh("nine-places", 6, new Cell(false, DELAWARE, 2, false, 28_400), 9).statusCode(200);
        refresh("ten-places", 6, new Cell(false, DELAWARE, 2, false, 28_400), 10).statusCode(422)
            .body("line", equalTo(2 + 10 * 2 + DELAWARE))
            .body("detail", containsString("Delaware has 28400 first doses in the week of 2021-01-18 in the moderna "
                + "source, 10.0 times"));
        // (Three weeks not judged here; second_doses refuses Delaware's 8,520 second doses for 34,080 first.)
        secondDosesOff(refresh("three-weeks", 3, new Cell(false, DELAWARE, 2, false, 28_400)), "Delaware", "0.25");
        refresh("four-weeks", 4, new Cell(false, DELAWARE, 2, false, 28_400)).statusCode(422)
            .body("detail", containsString("judged from its 3 other weeks with first doses"));
    }

    @Test
    void aWeekOfNoDosesIsNotADigitLost() {
        // A week without an allocation is written 0: not judged.
        refresh("zero", 6, new Cell(false, WYOMING, 3, true, 0)).statusCode(200);
    }

    @Test
    void generatedCountsADigitOffFail() {
        Random random = new Random(20261201);
        for (int round = 0; round < 6; round++) {
            int weeks = 4 + random.nextInt(4);
            int place = placeWithDoses(random);
            boolean pfizer = random.nextBoolean();
            boolean second = random.nextBoolean();
            boolean more = random.nextBoolean();
            int week = random.nextInt(weeks);
            int factor = 10 + random.nextInt(10);
            long doses = more ? usual(pfizer, place) * factor : usual(pfizer, place) / factor;
            String name = NationalFiles.PLACES.get(place);
            refresh("digit-" + round, weeks, new Cell(pfizer, place, week, second, doses))
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("line", equalTo(2 + 54 * week + place))
                .body("column", equalTo(second ? "_2nd_dose_allocations" : "_1st_dose_allocations"))
                .body("state", equalTo(NationalFiles.stateOf(name)))
                .body("detail", containsString(name + " has " + doses + (second ? " second" : " first")
                    + " doses in the week of " + week(week) + " in the " + (pfizer ? "pfizer" : "moderna")
                    + " source, "))
                .body("detail", containsString(more ? " times its usual share" : " of its usual share"));
        }
    }
}
