package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CensusCounties;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A place's share of one national file's doses far from its share of the other's
 * (sql/checks/sources/manufacturer_shares.sql): its counts scaled, or another jurisdiction's rows
 * added to its own, in one file only, by less than the checks of each file alone see. The test's
 * files follow the census, as the CDC's do: each state and DC allocated its 2020 census count (as
 * the warehouse's reference gives it) / 1,000 of each dose every week of four in Moderna's file and
 * 1.2 times that in Pfizer's (rounded); New York City 43% of New York's (New York the rest), Chicago
 * 30% of Illinois's, Philadelphia 12% of Pennsylvania's; Puerto Rico 3,000 and Federal Entities
 * 5,000. The county file: one county a state holding its census count. The same files, both
 * multiplied alike, are also both files in other units, which only a data check sees (at the end).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManufacturerSharesTest {

    private static final String[] WEEKS = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private Map<String, Long> census;

    @BeforeAll
    void start() {
        census = CensusCounties.serve(served);
    }

    /** A place's weekly count of each dose in Moderna's file (CensusCounties.usual, rounded). */
    private long usual(String place) {
        return Math.round(CensusCounties.usual(census, place));
    }

    /** Moderna's four weeks of every place, each place's count {@code count} gives (the same both doses). */
    private static String moderna(ToLongFunction<String> count) {
        return NationalFiles.weekly(WEEKS, count, 1);
    }

    /** Pfizer's: 1.2 times the count. */
    private static String pfizer(ToLongFunction<String> count) {
        return NationalFiles.weekly(WEEKS, count, 1.2);
    }

    /** {@code place}'s count times {@code factor}, every other place's as usual. */
    private ToLongFunction<String> scaled(String place, double factor) {
        return p -> p.equals(place) ? Math.round(usual(p) * factor) : usual(p);
    }

    private ValidatableResponse refresh(String moderna, String pfizer) {
        return CensusCounties.refresh(served, moderna, pfizer);
    }

    @Test
    void filesThatShareAlikeLoad() {
        refresh(moderna(this::usual), pfizer(this::usual)).statusCode(200);
        // Texas: 29,145,505 residents, 29,146 of each dose a week in Moderna's file, 34,975 in
        // Pfizer's: 8 × 29,146 and 8 × 34,975.
        served.given().get("/ratios/TX").then().statusCode(200)
            .body("doses_moderna", equalTo(8 * 29_146))
            .body("doses_pfizer", equalTo(8 * 34_975));
    }

    @Test
    void aStatesCountsScaledInOneFileFail() {
        // Texas's Pfizer counts 1.9 times over: round(29,146 × 1.9) × 1.2 = 66,452 of each dose a
        // week, 8 × 66,452 = 531,616 doses. Its share of the places' Pfizer doses is 15.48%, of
        // their Moderna doses 8.79% (8 × 29,146 = 233,168): 1.76 times, and every other place's
        // 1/1.079, so 1.90 times the median place's. Each file's Texas is within 2 times its
        // census share, each week in line with its others: no other check sees it.
        refresh(moderna(this::usual), pfizer(scaled("Texas", 1.9)))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", nullValue())
            .body("column", equalTo("jurisdiction"))
            .body("state", equalTo("Texas"))
            .body("detail", containsString("Texas's share of the pfizer source's doses (531616, 15.48%) is 1.90 "
                + "times its share of the moderna source's (233168, 8.79%) over the 4 weeks it has in both, against "
                + "the median place's, though 53 of the 54 places are within 0.8 and 1.25 times it: its counts "
                + "scaled, or another jurisdiction's rows with its own, in the pfizer source (the one further from "
                + "its census share)? Texas would be published with them."));
    }

    @Test
    void aCitysRowsAddedToItsStatesInOneFileFail() {
        // New York's Moderna rows holding New York City's too: New York's Moderna share 1/0.57 times
        // its Pfizer share, which is 0.57 times the other. Named in Moderna's file, the one whose New
        // York is off its census share (each file's New York, with the city, holds its census share;
        // with the city's counts added twice, Moderna's holds 1.43 times it).
        ToLongFunction<String> folded = place -> place.equals("New York")
            ? usual("New York") + usual("New York City") : usual(place);
        refresh(moderna(folded), pfizer(this::usual))
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("New York"))
            .body("detail", containsString("New York's share of the pfizer source's doses"))
            .body("detail", containsString(") is 0.57 times its share of the moderna source's"))
            .body("detail", containsString("in the moderna source (the one further from its census share)?"));
    }

    @Test
    void aCitysCountsScaledAreNamedWithTheCityAndItsState() {
        // Chicago's Pfizer counts halved: its share 0.5 times its Moderna share. Its state, Illinois,
        // is published with them, and Pfizer's Illinois (with Chicago) is the further off its census.
        refresh(moderna(this::usual), pfizer(scaled("Chicago", 0.5)))
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Illinois"))
            .body("detail", containsString("Chicago's share of the pfizer source's doses"))
            .body("detail", containsString(") is 0.50 times its share"))
            .body("detail", containsString("Illinois would be published with them."));
    }

    @Test
    void oneAndAHalfTimesEitherWayIsTheLine() {
        // Wyoming, a 600th of the country: its own counts hardly move the others' shares (the
        // times the message gives are against the median place's).
        for (double factor : new double[] {1.49, 1 / 1.49}) {
            refresh(moderna(this::usual), pfizer(scaled("Wyoming", factor))).statusCode(200);
            refresh(moderna(scaled("Wyoming", factor)), pfizer(this::usual)).statusCode(200);
        }
        refresh(moderna(this::usual), pfizer(scaled("Wyoming", 1.51)))
            .statusCode(422).body("source", equalTo("pfizer")).body("detail", containsString("is 1.51 times"));
        refresh(moderna(scaled("Wyoming", 1.51)), pfizer(this::usual))
            .statusCode(422).body("source", equalTo("moderna")).body("detail", containsString("is 0.66 times"));
    }

    @Test
    void aPlaceWithWeeksOfZeroIsJudgedOverAWiderBand() {
        // Wyoming 0 in the week of 2021-01-11 in both files (its allocations paused, as the real
        // Alaska's were): its doses come in lumps, not always in the same weeks of both files, so
        // only over 2 times or under half of the median place's fails.
        for (double factor : new double[] {1.9, 1 / 1.9}) {
            refresh(paused(moderna(this::usual)), paused(pfizer(scaled("Wyoming", factor)))).statusCode(200);
        }
        refresh(paused(moderna(this::usual)), paused(pfizer(scaled("Wyoming", 2.1))))
            .statusCode(422)
            .body("state", equalTo("Wyoming"))
            .body("detail", containsString("Wyoming's share of the pfizer source's doses"))
            .body("detail", containsString(") is 2.1"));
    }

    /** {@code file} with Wyoming's counts of the week of 2021-01-11 written 0. */
    private static String paused(String file) {
        return file.replaceAll("(?m)^(\"Wyoming\",\"2021-01-11T00:00:00.000\"),.*$", "$1,\"0\",\"0\"");
    }

    @Test
    void aPlaceScaledInBothFilesIsNotThisChecksToJudge() {
        // Wyoming 1.9 times over in both: its shares agree, and it is within twice its census share.
        refresh(moderna(scaled("Wyoming", 1.9)), pfizer(scaled("Wyoming", 1.9))).statusCode(200);
    }

    @Test
    void filesThatDoNotShareAlikeAreNotJudged() {
        // Every place's Pfizer counts drawn at random between 0.35 and 0.65 times, or 1.4 and 1.9
        // times, its usual: fewer than 3 places in 4 within 0.8 and 1.25 times the median. Not
        // judged: the refresh publishes them (each file's states are within 2 times their census
        // share, and the product's own check warns from 3 times apart).
        Random random = new Random(20261130);
        Map<String, Double> factors = new HashMap<>();
        NationalFiles.WITH_OTHERS.forEach(place -> factors.put(place, random.nextBoolean() ? 0.35 + random.nextDouble() * 0.3
            : 1.4 + random.nextDouble() * 0.5));
        ToLongFunction<String> drawn = place -> Math.round(usual(place) * factors.get(place));
        refresh(moderna(this::usual), pfizer(drawn)).statusCode(200);
        served.given().get("/ratios/TX").then().statusCode(200)
            .body("doses_pfizer", equalTo((int) (8 * Math.round(drawn.applyAsLong("Texas") * 1.2))));
    }

    @Test
    void generatedPlacesScaledInOneFileFail() {
        // A place drawn at random (a state, DC or a counted city), one file, a factor between 1.6
        // and 1.95 times or 0.62 and 0.65: within what the checks of each file alone allow.
        Random random = new Random(20261129);
        for (int round = 0; round < 6; round++) {
            String place = NationalFiles.PLACES.get(random.nextInt(NationalFiles.PLACES.size()));
            double factor = random.nextBoolean() ? 1.6 + random.nextDouble() * 0.35 : 0.62 + random.nextDouble() * 0.03;
            boolean inPfizer = random.nextBoolean();
            ValidatableResponse answer = inPfizer ? refresh(moderna(this::usual), pfizer(scaled(place, factor)))
                : refresh(moderna(scaled(place, factor)), pfizer(this::usual));
            answer.statusCode(422)
                .body("source", equalTo(inPfizer ? "pfizer" : "moderna"))
                .body("state", equalTo(NationalFiles.stateOf(place)))
                .body("detail", containsString(place + "'s share of the pfizer source's doses"));
        }
    }

    // ---- both files in other units (sql/checks/plausible_people_per_dose.sql) -------------------
    // Every state in line with the others and each file with the other: only the doses per census
    // resident tell. Usual here: (2 + 2.4) / 1,000 = 0.0044 doses a resident a week.

    private static final String PEOPLE_PER_DOSE = "checks.find { it.name == 'plausible_people_per_dose' }";

    /** Both files, every place's count {@code factor} times its usual one. */
    private ValidatableResponse refreshTimes(double factor) {
        ToLongFunction<String> count = p -> Math.round(usual(p) * factor);
        return refresh(moderna(count), pfizer(count));
    }

    @Test
    void bothFilesAHundredTimesOverLoadWithAWarning() {
        // 0.0044 × 100 = 0.44 a resident a week, over 4 × 0.052: every state at about 0.57 people
        // per dose, in line with the median, and published, with the warning in its run.
        refreshTimes(100).statusCode(200)
            .body(PEOPLE_PER_DOSE + ".status", equalTo("warn"))
            .body(PEOPLE_PER_DOSE + ".detail", endsWith("; but the states are allocated 0.4400 doses per 2020 census "
                + "resident a week, with their people the census's (the real files: 0.017 to 0.052): are both "
                + "allocation files in other units (thousands, tens)?"));
        // Texas: 29,146 × 100 = 2,914,600 of each dose a week in Moderna's file, 3,497,520 in Pfizer's.
        served.given().get("/ratios/TX").then().statusCode(200)
            .body("doses_moderna", equalTo(8 * 2_914_600))
            .body("doses_pfizer", equalTo(8 * 3_497_520));
    }

    @Test
    void bothFilesInHundredthsLoadWithAWarning() {
        refreshTimes(0.01).statusCode(200)
            .body(PEOPLE_PER_DOSE + ".status", equalTo("warn"))
            .body(PEOPLE_PER_DOSE + ".detail", containsString(" doses per 2020 census resident a week, with their "
                + "people the census's"));
    }

    @Test
    void theUsualFilesAndBothTenTimesOverAreNotJudgedSo() {
        refreshTimes(1).statusCode(200)
            .body(PEOPLE_PER_DOSE + ".status", equalTo("pass"))
            .body(PEOPLE_PER_DOSE + ".detail", not(containsString("census resident")));
        refreshTimes(10).statusCode(200)
            .body(PEOPLE_PER_DOSE + ".status", equalTo("pass"));
    }
}
