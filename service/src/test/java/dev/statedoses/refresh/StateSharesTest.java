package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CensusCounties;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A state's doses over a whole national allocation file far from its share by population
 * (sql/checks/sources/state_shares.sql): another jurisdiction's rows under its name, or its rows
 * lost, each week in line with its others. The test's files follow the census, as the CDC's do:
 * each state and DC allocated its 2020 census count (as the warehouse's reference gives it) / 1,000
 * of each dose every week of four in Moderna's file (1.2 times that in Pfizer's, rounded), New York
 * City 43% of New York's (New York the rest), Chicago and Philadelphia 1,000, Puerto Rico 3,000 and
 * Federal Entities 5,000; the county file one county a state holding its census count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateSharesTest {

    private static final String[] WEEKS = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private Map<String, Long> census;

    @BeforeAll
    void start() {
        census = CensusCounties.serve(served);
    }

    /** A place's weekly count of each dose in the test's files. */
    private long usual(String place) {
        return switch (place) {
            case "New York" -> Math.round(census.get("New York") / 1000.0 * 0.57);
            case "New York City" -> Math.round(census.get("New York") / 1000.0 * 0.43);
            case "Chicago", "Philadelphia" -> 1000;
            case "Puerto Rico" -> 3000;
            case "Federal Entities" -> 5000;
            default -> Math.round(census.get(place) / 1000.0);
        };
    }

    /** Moderna's four weeks of every place, each place's count {@code count} gives (the same both doses). */
    private static String file(ToLongFunction<String> count) {
        return NationalFiles.weekly(WEEKS, count, 1);
    }

    /** Pfizer's: 1.2 times the count (the two files must not hold the same rows). */
    private static String pfizer(ToLongFunction<String> count) {
        return NationalFiles.weekly(WEEKS, count, 1.2);
    }

    private ValidatableResponse refresh(String moderna, String pfizer) {
        return CensusCounties.refresh(served, moderna, pfizer);
    }

    @Test
    void filesThatFollowTheCensusLoad() {
        refresh(file(this::usual), pfizer(this::usual)).statusCode(200);
        served.given().get("/ratios/CA").then().statusCode(200)
            .body("doses_pfizer", equalTo((int) (8 * Math.round(usual("California") * 1.2))));
    }

    @Test
    void aStateAndFederalEntitiesExchangedFail() {
        // California's Pfizer rows under Federal Entities and theirs under California: 8 × 6,000.
        String pfizer = pfizer(place -> usual(place.equals("California") ? "Federal Entities"
            : place.equals("Federal Entities") ? "California" : place));
        refresh(file(this::usual), pfizer)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", nullValue())
            .body("column", equalTo("jurisdiction"))
            .body("state", equalTo("California"))
            .body("detail", containsString("the pfizer source allocates California 48000 doses over its 4 weeks, "
                + "0.13 times its share by population ("))
            .body("detail", containsString("though 50 of its 51 states are within 0.8 and 1.25 times theirs: "
                + "another jurisdiction's rows under its name, or its rows lost? California would be published "
                + "with them."));
    }

    @Test
    void aCitysRowsWrittenZeroInBothFilesFail() {
        // New York City 43% of New York's doses, written 0: New York at 0.57 of its share.
        ToLongFunction<String> withoutTheCity = place -> place.equals("New York City") ? 0 : usual(place);
        refresh(file(withoutTheCity), pfizer(withoutTheCity))
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("New York"))
            .body("detail", containsString("0.57 times its share by population"))
            .body("detail", containsString("(and 1 more, in this file or the other)"));
    }

    @Test
    void sixTenthsAndTwiceAreTheLines() {
        // Wyoming, a 600th of the country: its own doses hardly move the country's level. Scaled in
        // both files alike (in one only, its shares of the two files would differ:
        // ManufacturerSharesTest).
        for (double factor : new double[] {0.61, 1.99}) {
            ToLongFunction<String> wyoming = wyoming(factor);
            refresh(file(wyoming), pfizer(wyoming)).statusCode(200);
        }
        refresh(file(wyoming(0.59)), pfizer(wyoming(0.59)))
            .statusCode(422).body("detail", containsString("0.59 times its share"));
        refresh(file(wyoming(2.01)), pfizer(wyoming(2.01)))
            .statusCode(422).body("detail", containsString("2.01 times its share"));
    }

    /** Wyoming's counts {@code factor} times over, every other place's as usual. */
    private ToLongFunction<String> wyoming(double factor) {
        return place -> place.equals("Wyoming") ? Math.round(usual(place) * factor) : usual(place);
    }

    @Test
    void filesThatDoNotFollowTheCensusAreNotJudged() {
        // Every place 1,000 a week: no state near its share, and California's rows a tenth (in both
        // files: its shares of the two agree). The source checks pass it; the product's own check
        // then finds the states' people per dose too far apart (the county file follows the
        // census, the doses do not).
        ToLongFunction<String> flat = place -> place.equals("California") ? 100 : 1000;
        refresh(file(flat), pfizer(flat))
            .statusCode(422)
            .body("type", equalTo("/problems/check-failed"))
            .body("detail", containsString("data check failed: plausible_people_per_dose"));
    }

    @Test
    void generatedStatesFarOffTheirShareFail() {
        Random random = new Random(20261201);
        List<String> states = new ArrayList<>(census.keySet());
        states.sort(null);
        for (int round = 0; round < 5; round++) {
            String state = states.get(random.nextInt(states.size()));
            double factor = random.nextBoolean() ? 0.05 + random.nextDouble() * 0.4 : 2.5 + random.nextDouble() * 6;
            boolean pfizer = random.nextBoolean();
            ToLongFunction<String> off = place -> NationalFiles.stateOf(place).equals(state)
                ? Math.round(usual(place) * factor) : usual(place);
            refresh(pfizer ? file(this::usual) : file(off), pfizer ? pfizer(off) : pfizer(this::usual))
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("state", equalTo(state))
                .body("detail", containsString("source allocates " + state + " "));
        }
    }
}
