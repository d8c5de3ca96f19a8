package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CensusCounties;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both allocation files cut after the same number of rows, as the lake cut its copies after 1000:
 * each cut loads, whatever row it falls on. The test's files are shaped like the real ones: newest
 * first, Pfizer's from its first week (2020-12-14) and Moderna's from its (2020-12-21) to
 * 2021-02-01, 56 rows a week (the 54 states, DC and counted cities, Puerto Rico, Federal Entities);
 * each state and DC allocated its 2020 census count / 1,000 of each dose (Pfizer 1.2 times that)
 * times the week's size (newest first 1.0, 1.1, 1.0, 0.9, 0.8, 0.7, 0.5, 0.4), New York City 43%
 * of New York's, Chicago 30% of Illinois's, Philadelphia 12% of Pennsylvania's; Alaska 0 from
 * 2021-01-11 to 2020-12-28 in both files, and before that 4 times its share in Moderna's first
 * week (2020-12-21), 0 in Pfizer's that week and 6 times in Pfizer's first: as the real Alaska,
 * its months of doses in one week. Before, a cut could fail where a
 * whole file loads: a week cut after a row looked like a week at another scale, the places before
 * a cut inside the second week like places over their census share, Alaska's weeks of 0 in the
 * newest five weeks like values lost, Pfizer's file cut inside the week after its first like its
 * first week lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CutFilesTest {

    private static final double[] SIZES = {1.0, 1.1, 1.0, 0.9, 0.8, 0.7, 0.5, 0.4};
    /** Alaska's share of each Moderna week, newest first: its months of doses in one week. */
    private static final double[] ALASKA_MODERNA = {1, 1, 1, 0, 0, 0, 4};
    /** And of each Pfizer week: its first lump a week before Moderna's. */
    private static final double[] ALASKA_PFIZER = {1, 1, 1, 0, 0, 0, 0, 6};
    private static final LocalDate NEWEST = LocalDate.of(2021, 2, 1);
    private static final int ROWS_A_WEEK = 56;

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private Map<String, Long> census;

    @BeforeAll
    void start() {
        census = CensusCounties.serve(served);
    }

    /** The rows of a whole file, newest week first: Moderna's 7 weeks or Pfizer's 8. */
    private List<String> rows(boolean pfizer) {
        return rows(pfizer, pfizer ? ALASKA_PFIZER : ALASKA_MODERNA);
    }

    /** The rows of a whole file, with Alaska's share of each week, newest first, as {@code alaska} gives it. */
    private List<String> rows(boolean pfizer, double[] alaska) {
        List<String> rows = new ArrayList<>();
        for (int week = 0; week < (pfizer ? 8 : 7); week++) {
            for (String place : NationalFiles.WITH_OTHERS) {
                double count = CensusCounties.usual(census, place) * SIZES[week] * (pfizer ? 1.2 : 1);
                if (place.equals("Alaska")) {
                    count *= alaska[week];
                }
                rows.add(NationalFiles.line(place, NEWEST.minusWeeks(week).toString(), Math.round(count)));
            }
        }
        return rows;
    }

    private ValidatableResponse refresh(List<String> moderna, List<String> pfizer) {
        return CensusCounties.refresh(served, NationalFiles.file(moderna), NationalFiles.file(pfizer));
    }

    /** Loads both files cut after {@code rows} rows, and checks New York's doses against the rows kept. */
    private void cutAfter(int rows) {
        load(rows(false).subList(0, rows), rows(true).subList(0, rows));
    }

    private void load(List<String> moderna, List<String> pfizer) {
        refresh(moderna, pfizer).statusCode(200).body("status", equalTo("succeeded"));
        served.given().get("/ratios/NY").then().statusCode(200)
            .body("doses_moderna", equalTo(newYorksDoses(moderna)))
            .body("doses_pfizer", equalTo(newYorksDoses(pfizer)));
    }

    /** New York's doses and New York City's in {@code rows}, both doses. */
    private static int newYorksDoses(List<String> rows) {
        return rows.stream()
            .filter(row -> row.startsWith("\"New York\",") || row.startsWith("\"New York City\","))
            .mapToInt(row -> 2 * Integer.parseInt(row.substring(1, row.length() - 1).split("\",\"")[2]))
            .sum();
    }

    @Test
    void wholeFilesLoad() {
        load(rows(false), rows(true));
    }

    @Test
    void aCutFileWithOneOfItsRowsRepeatedAfterTheCutLoads() {
        // Cut inside the fourth week, then a row of the newest week written again at the end, word
        // for word (it counts once): the repeated row's week was taken for the week of the file's
        // last line, and the week really cut for lines lost ("Alaska has no row in 1 of the 4 weeks").
        List<String> moderna = rows(false).subList(0, 3 * ROWS_A_WEEK + 20);
        List<String> pfizer = rows(true).subList(0, 3 * ROWS_A_WEEK + 20);
        List<String> repeated = new ArrayList<>(moderna);
        repeated.add(moderna.get(ROWS_A_WEEK - 1));
        refresh(repeated, pfizer).statusCode(200).body("status", equalTo("succeeded"));
        served.given().get("/ratios/NY").then().statusCode(200)
            .body("doses_moderna", equalTo(newYorksDoses(moderna)))
            .body("doses_pfizer", equalTo(newYorksDoses(pfizer)));
    }

    @Test
    void aWeekCutAfterOneRowLoads() {
        // The week of 2021-01-18 of one row (Alabama's): its doses a fiftieth of the median week's.
        cutAfter(2 * ROWS_A_WEEK + 1);
    }

    @Test
    void theSecondWeekCutAfterAFewRowsLoads() {
        // Alabama to Arkansas with two weeks, the week of 2021-01-25 1.1 times the newest: over
        // the file, 2.1 times the census share of the states with one (a week, 1.05 times).
        cutAfter(ROWS_A_WEEK + 4);
    }

    @Test
    void alaskasPausesInTheNewestWeeksLoad() {
        // The four newest weeks, cut after Alaska in the fourth: Alaska's one week of 0 in four (in
        // both files), doses in the others.
        cutAfter(3 * ROWS_A_WEEK + 2);
    }

    @Test
    void pfizersFileCutInsideTheWeekAfterItsFirstLoads() {
        // Pfizer's file cut inside the week of 2020-12-21, before its first week (2020-12-14). Cut
        // after that week's last row, Pfizer's file starts with the week after its first: that is
        // its first week lost, and fails (NationalAllocationFilesTest).
        cutAfter(6 * ROWS_A_WEEK + 30);
    }

    @Test
    void filesAsPublishedInTheirFirstWeeksLoad() {
        // The files as they stood at 2020-12-21: Pfizer's first two weeks, Moderna's first.
        // Alaska's Pfizer doses came in the first, 6 times its share (0 in the second): over a
        // week, 2.7 times the others'. A state of lumps and weeks of 0, or of one week, is not
        // judged by its share.
        List<String> moderna = rows(false).subList(6 * ROWS_A_WEEK, 7 * ROWS_A_WEEK);
        List<String> pfizer = rows(true).subList(6 * ROWS_A_WEEK, 8 * ROWS_A_WEEK);
        load(moderna, pfizer);
    }

    @Test
    void aStateWhoseDosesComeInLumpsIsJudgedOverAWiderBand() {
        // The five newest weeks, Alaska's 5, 0, 5, 5, 0 times its share in both files: 3.0 times
        // the others' over a week (its weeks of doses alike, so no one of them stands out). A
        // state's share over a part of a series of lumps says less: it loads.
        double[] lumps = {5, 0, 5, 5, 0, 0, 0, 0};
        load(rows(false, lumps).subList(0, 5 * ROWS_A_WEEK), rows(true, lumps).subList(0, 5 * ROWS_A_WEEK));
        // 8 times in its weeks of doses: 8 × (1.0 + 1.0 + 0.9) / 5 = 4.64 a week against the
        // others' (1.0 + 1.1 + 1.0 + 0.9 + 0.8) / 5 = 0.96, 4.83 times: over 4, it fails.
        double[] more = {8, 0, 8, 8, 0, 0, 0, 0};
        refresh(rows(false, more).subList(0, 5 * ROWS_A_WEEK), rows(true, more).subList(0, 5 * ROWS_A_WEEK))
            .statusCode(422)
            .body("state", equalTo("Alaska"))
            .body("detail", containsString("4.8"))
            .body("detail", containsString(" times its share by population"));
    }

    @Test
    void generatedCutsLoad() {
        Random random = new Random(20261130);
        Set<Integer> cuts = new TreeSet<>();
        while (cuts.size() < 12) {
            cuts.add(ROWS_A_WEEK + 1 + random.nextInt(6 * ROWS_A_WEEK - 1));
        }
        cuts.forEach(this::cutAfter);
    }
}
