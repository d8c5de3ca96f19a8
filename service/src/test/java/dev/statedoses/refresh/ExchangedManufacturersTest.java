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
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The two allocation files exchanged, in weeks of 2021 only (as the lake's cut files are), told by
 * the packs each manufacturer shipped in: every real Pfizer count is a whole number of Pfizer's
 * vials of 6 doses (or trays of 975), a third of Moderna's by chance. Generated files, 30 states
 * over 4 weeks from 2021-01-04 (120 rows, 240 counts above 0, second dose = first), each count made
 * from k = state index + week:
 * <ul>
 * <li>Moderna-like, 20 × (121 + 3k): 20 × 121 to 20 × 217, never a multiple of 3, so never of 6,
 * nor of 975 (20m is one only for m a multiple of 195, which 121 + 3k never is for k up to 32);
 * <li>Pfizer's trays, 1,170 × (1 + k mod 5): whole packs; and vials, 6 × (1001 + k), whole packs
 * too, for a second file that must share no rows with the first (1001 + k is never 195 × 5 or × 6);
 * <li>another Moderna-like, for a second file that must share no rows with the first,
 * 20 × (301 + 3k): 20 × 301 to 20 × 397, neither (390 is not 301 + 3k).
 * </ul>
 * The population is the fixture's (10,000 people in each of these states).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangedManufacturersTest {

    /** States of 10,000 people in the fixture (not Alaska, Illinois, New York or Vermont). */
    private static final List<String> STATES = List.of("Alabama", "Arizona", "Arkansas", "California", "Colorado",
        "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Indiana", "Iowa", "Kansas", "Kentucky",
        "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
        "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "North Carolina");
    private static final int WEEKS = 4;

    private static final IntUnaryOperator MODERNA_LIKE = k -> 20 * (121 + 3 * k);
    private static final IntUnaryOperator PFIZER_TRAYS = k -> 1170 * (1 + k % 5);
    private static final IntUnaryOperator PFIZER_VIALS = k -> 6 * (1001 + k);
    private static final IntUnaryOperator OTHER_MODERNA_LIKE = k -> 20 * (301 + 3 * k);

    private FixtureServer upstream;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    /**
     * A file of {@code rows} rows, week by week (each week the 30 states in order): the first
     * {@code firstRows} rows' counts from {@code first}, the others from {@code rest}; each given
     * state index + week.
     */
    private static String file(int rows, int firstRows, IntUnaryOperator first, IntUnaryOperator rest) {
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            int week = row / STATES.size();
            int state = row % STATES.size();
            int doses = (row < firstRows ? first : rest).applyAsInt(state + week);
            lines.add("\"" + STATES.get(state) + "\",\"" + LocalDate.of(2021, 1, 4).plusWeeks(week)
                + "T00:00:00.000\",\"" + doses + "\",\"" + doses + "\"");
        }
        return NationalFiles.file(lines);
    }

    private static String file(IntUnaryOperator counts) {
        return file(STATES.size() * WEEKS, 0, counts, counts);
    }

    /** Refreshes a new warehouse with these two files; with {@code alabama}, checks its row (a load). */
    private ValidatableResponse refresh(String name, String moderna, String pfizer, boolean alabama) {
        return NationalFiles.refresh(upstream, name, moderna, pfizer, app -> {
            if (alabama) {
                // Alabama, state 0: moderna 2 × 20 × (121 + 124 + 127 + 130) = 20,080; pfizer
                // 2 × 1,170 × (1 + 2 + 3 + 4) = 23,400; 10,000 / 43,480 = 0.22999 people per dose.
                app.given().get("/ratios/AL").then().statusCode(200)
                    .body("doses_moderna", equalTo(20080))
                    .body("doses_pfizer", equalTo(23400))
                    .body("people_per_dose", equalTo(0.23f));
            }
        });
    }

    @Test
    void eachFileInItsOwnPacksLoads() {
        refresh("right", file(MODERNA_LIKE), file(PFIZER_TRAYS), true).statusCode(200);
    }

    @Test
    void theTwoFilesExchangedFail() {
        refresh("exchanged", file(PFIZER_TRAYS), file(MODERNA_LIKE), false).statusCode(422)
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo("moderna"))
            .body("line", nullValue())
            .body("detail", containsString("240 of the moderna source's 240 counts above 0 are whole vials or trays of "
                + "Pfizer's vaccine (multiples of 6 or 975 doses), and only 0 of the pfizer source's 240, where every "
                + "real Pfizer count is one (MODERNA_URL "))
            .body("detail", containsString("are the two URLs exchanged? Every state's doses would be published under "
                + "the wrong manufacturer"));
    }

    @Test
    void overNineInTenOfTheModernaFileInPacksIsTheOthers() {
        // 108 rows of packs: 216 of 240 counts, nine in ten, loads; 109 rows, 218, fails.
        refresh("nine-tenths", file(120, 108, PFIZER_TRAYS, MODERNA_LIKE), file(OTHER_MODERNA_LIKE), false)
            .statusCode(200);
        refresh("over-nine-tenths", file(120, 109, PFIZER_TRAYS, MODERNA_LIKE), file(OTHER_MODERNA_LIKE), false)
            .statusCode(422)
            .body("detail", containsString("218 of the moderna source's 240 counts above 0 are whole vials or trays"));
    }

    @Test
    void underSixInTenOfThePfizerFileInPacksIsTheOthers() {
        // 72 rows of packs in the pfizer file: 144 of 240, six in ten, loads; 71 rows, 142, fails.
        refresh("six-tenths", file(PFIZER_TRAYS), file(120, 72, PFIZER_VIALS, OTHER_MODERNA_LIKE), false)
            .statusCode(200);
        refresh("under-six-tenths", file(PFIZER_TRAYS), file(120, 71, PFIZER_VIALS, OTHER_MODERNA_LIKE), false)
            .statusCode(422)
            .body("detail", containsString("and only 142 of the pfizer source's 240,"));
    }

    @Test
    void judgedFromAHundredCountsInEachFile() {
        // 49 rows, 98 counts: a small hand-written pair may hold anything; 50 rows, 100, is judged.
        refresh("small", file(49, 49, PFIZER_TRAYS, PFIZER_TRAYS), file(49, 0, MODERNA_LIKE, MODERNA_LIKE), false)
            .statusCode(200);
        refresh("hundred", file(50, 50, PFIZER_TRAYS, PFIZER_TRAYS), file(50, 0, MODERNA_LIKE, MODERNA_LIKE), false)
            .statusCode(422).body("detail", containsString("100 of the moderna source's 100 counts above 0"));
    }
}
