package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CensusCounties;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both allocation files in other units (sql/checks/plausible_people_per_dose.sql): every state in
 * line with the others and each file with the other, so only the doses per census resident tell.
 * Through the service, with a county file that follows the census (CensusCounties: one county a
 * state holding its 2020 count) and two national files of four weeks: each place allocated its
 * census count / 1,000 of each dose a week in Moderna's file, 1.2 times that in Pfizer's, then
 * both files multiplied alike. Usual: (2 + 2.4) / 1,000 = 0.0044 doses a resident a week.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllocationUnitsTest {

    private static final String[] WEEKS = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};
    private static final String CHECK = "checks.find { it.name == 'plausible_people_per_dose' }";

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private Map<String, Long> census;

    @BeforeAll
    void start() {
        census = CensusCounties.serve(served);
    }

    /** Both files, every count {@code factor} times its usual one. */
    private ValidatableResponse refreshTimes(double factor) {
        return CensusCounties.refresh(served,
            NationalFiles.weekly(WEEKS, place -> Math.round(CensusCounties.usual(census, place) * factor), 1),
            NationalFiles.weekly(WEEKS, place -> Math.round(CensusCounties.usual(census, place) * factor * 1.2), 1));
    }

    @Test
    void bothFilesAHundredTimesOverLoadWithAWarning() {
        // 0.0044 × 100 = 0.44 a resident a week, over 4 × 0.052: every state at about 0.57 people
        // per dose, in line with the median, and published, with the warning in its run.
        refreshTimes(100).statusCode(200)
            .body(CHECK + ".status", equalTo("warn"))
            .body(CHECK + ".detail", endsWith("; but the states are allocated 0.4400 doses per 2020 census resident a "
                + "week, with their people the census's (the real files: 0.017 to 0.052): are both allocation files "
                + "in other units (thousands, tens)?"));
        // Texas: 29,145,505 residents, round(29,145.505 × 100) = 2,914,551 of each dose a week in
        // Moderna's file and round(29,145.505 × 120) = 3,497,461 in Pfizer's, over four weeks.
        served.given().get("/ratios/TX").then().statusCode(200)
            .body("doses_moderna", equalTo(8 * 2_914_551))
            .body("doses_pfizer", equalTo(8 * 3_497_461));
    }

    @Test
    void bothFilesInHundredthsLoadWithAWarning() {
        refreshTimes(0.01).statusCode(200)
            .body(CHECK + ".status", equalTo("warn"))
            .body(CHECK + ".detail", containsString(" doses per 2020 census resident a week, with their people the "
                + "census's"));
    }

    @Test
    void theUsualFilesAndTheirDoubleAreNotJudgedSo() {
        refreshTimes(1).statusCode(200)
            .body(CHECK + ".status", equalTo("pass"))
            .body(CHECK + ".detail", not(containsString("census resident")));
        refreshTimes(10).statusCode(200)
            .body(CHECK + ".status", equalTo("pass"));
    }
}
