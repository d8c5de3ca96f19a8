package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.WholeCountryCounties;
import dev.statedoses.support.WholeCountryCounties.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A county code the Census retired beside a code it gave the same people instead
 * (sql/checks/sources/retired_counties.sql): no one year's file has both, and a file that does
 * counts those people twice. Shannon, South Dakota (46113) beside Oglala Lakota (46102) loaded
 * before, a few thousand people too many, within the census count's tenth.
 *
 * <p>The test's file is the whole country, 60 counties a state under the odd codes 001 to 119
 * ({@link WholeCountryCounties}); the lines a case adds go at its end, after Wyoming, each of 1,000
 * people or fewer, so no other check sees them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetiredCountiesTest {

    private static final int COUNTIES = 60;

    /** The Census's changes whose new codes were new (its list of substantial changes to counties): retired, new, year. */
    private record Change(int retired, int successor, int year) {
    }

    private static final List<Change> CHANGES = List.of(
        new Change(2231, 2232, 1992), new Change(2231, 2282, 1992),
        new Change(2232, 2105, 2007), new Change(2232, 2230, 2007),
        new Change(2201, 2198, 2008),
        new Change(2280, 2195, 2008), new Change(2280, 2275, 2008),
        new Change(2261, 2063, 2019), new Change(2261, 2066, 2019),
        new Change(2270, 2158, 2015),
        new Change(12025, 12086, 1997),
        new Change(29193, 29186, 1979),
        new Change(32025, 32510, 1969),
        new Change(46113, 46102, 2015));

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final WholeCountryCounties country = new WholeCountryCounties(served, COUNTIES);
    private CountyFileVariants files;

    /** Alaska's codes in the test's file that are codes of the changes: renumbered 02121 and 02123. */
    private static final List<Integer> MOVED = List.of(2063, 2105);

    private List<String> base;

    @BeforeAll
    void start() {
        // The test's Alaska numbers its 60 boroughs 02001 to 02119, among them two of the codes the
        // Census gave in 2007 and 2019: those two lines move to codes no change has.
        base = new ArrayList<>(country.lines());
        int alaska = country.index("Alaska");
        for (int m = 0; m < MOVED.size(); m++) {
            int k = (MOVED.get(m) % 1000 - 1) / 2;
            base.set((int) country.lineOf(alaska, k) - 1, WholeCountryCounties.line(country.states().get(alaska), k,
                121 + 2 * m, WholeCountryCounties.part(country.states().get(alaska).census(), k, COUNTIES)));
        }
        files = new CountyFileVariants(served, base);
        files.load();
    }

    private static String code(int code) {
        return String.format(Locale.ROOT, "%05d", code);
    }

    private State stateOf(int code) {
        return country.states().stream().filter(s -> Integer.parseInt(s.fips()) == code / 1000).findFirst().orElseThrow();
    }

    /** A county line of {@code code}, named {@code county}, of {@code people}, under its code's state. */
    private String line(int code, String county, long people) {
        return "0500000US" + code(code) + "," + code(code) + "," + county + "," + stateOf(code).name() + "," + people;
    }

    /** Whether the test's file has a line of {@code code} (a state's odd codes 001 to 119, but Alaska's moved). */
    private boolean inFile(int code) {
        int number = code % 1000;
        return number % 2 == 1 && number <= 2 * COUNTIES - 1 && !MOVED.contains(code);
    }

    /** The name the test's file gives {@code code}, or the one a case gives it. */
    private String nameOf(int code) {
        return inFile(code) ? "County " + ((code % 1000 + 1) / 2) : "Code " + code(code);
    }

    /** The line (1-based) where {@code code} stands: in the file, or added at its end in the order given. */
    private long lineOf(int code, List<Integer> added) {
        if (inFile(code)) {
            return country.lineOf(country.states().indexOf(stateOf(code)), (code % 1000 - 1) / 2);
        }
        return country.lines().size() + 1 + added.indexOf(code);
    }

    /** The test's file with a line of each code of {@code codes} not in it added at its end (people 600, 700, ...). */
    private List<String> with(List<Integer> codes) {
        List<String> lines = new ArrayList<>(base);
        for (int code : codes) {
            if (!inFile(code)) {
                lines.add(line(code, nameOf(code), 600 + 100L * (lines.size() - country.lines().size())));
            }
        }
        return lines;
    }

    private List<Integer> added(List<Integer> codes) {
        return codes.stream().filter(c -> !inFile(c)).toList();
    }

    /** The detail's start for {@code change} in a file of {@code codes}, up to the change's year. */
    private String detail(Change change, List<Integer> codes) {
        List<Integer> added = added(codes);
        return "the file gives both " + nameOf(change.retired()) + " (" + code(change.retired()) + ", line "
            + lineOf(change.retired(), added) + ") and " + nameOf(change.successor()) + " (" + code(change.successor())
            + ", line " + lineOf(change.successor(), added) + "), " + stateOf(change.retired()).name() + ": in "
            + change.year() + " the Census ";
    }

    private Variant refused(Change change, List<Integer> codes) {
        List<Integer> added = added(codes);
        long line = Math.max(lineOf(change.retired(), added), lineOf(change.successor(), added));
        return new Variant(code(change.retired()) + " beside " + code(change.successor()), with(codes), line,
            detail(change, codes));
    }

    @Test
    void shannonBesideOglalaLakotaFails() {
        // 46113 is the file's County 57 of South Dakota; Oglala Lakota, 46102, added at the end.
        Change shannon = CHANGES.get(CHANGES.size() - 1);
        List<Integer> codes = List.of(46102);
        var problem = files.assertRefresh(refused(shannon, codes), "Id2");
        assertEquals("South Dakota", problem.getString("state"));
        assertEquals(country.lines().size() + 1L, problem.getLong("line"));
        String detail = problem.getString("detail");
        assertEquals(true, detail.endsWith("in 2015 the Census renamed Shannon County (46113) Oglala Lakota (46102), "
            + "so no one year's file has both codes, and the same people would be counted twice"), detail);
    }

    @Test
    void everyChangeBesideItsSuccessorFails() {
        // Each retired code with each code that replaced it, in both orders where both are added.
        for (Change change : CHANGES) {
            files.assertRefresh(refused(change, List.of(change.retired(), change.successor())), "Id2");
            if (!inFile(change.retired()) && !inFile(change.successor())) {
                files.assertRefresh(refused(change, List.of(change.successor(), change.retired())), "Id2");
            }
        }
    }

    @Test
    void connecticutsCountiesBesideAPlanningRegionFail() {
        // The file's Connecticut has the eight counties' codes 09001 to 09015 (and more); any region
        // beside them counts its people twice. Drawn: one region of nine.
        Random random = new Random(20261207);
        int region = 9110 + 10 * random.nextInt(9);
        List<Integer> codes = List.of(region);
        Change fairfield = new Change(9001, region, 2022);
        var problem = files.assertRefresh(refused(fairfield, codes), "Id2");
        String detail = problem.getString("detail");
        assertEquals(true, detail.endsWith("replaced Connecticut's eight counties (09001 to 09015) by nine planning "
            + "regions (09110 to 09190), so no one year's file has both codes, and the same people would be counted "
            + "twice (7 more retired codes are beside their successors)"), detail);
    }

    @Test
    void theFirstOfSeveralIsNamedAndTheOthersCounted() {
        // Dade (12025, the file's County 13 of Florida) and Shannon (46113): Miami-Dade's line comes first.
        List<Integer> codes = List.of(12086, 46102);
        Change dade = CHANGES.stream().filter(c -> c.retired() == 12025).findFirst().orElseThrow();
        var problem = files.assertRefresh(refused(dade, codes), "Id2");
        String detail = problem.getString("detail");
        assertEquals(true, detail.endsWith("counted twice (1 more retired code is beside its successor)"), detail);
    }

    @Test
    void eitherCodeAloneLoadsWithItsPeople() {
        // A file of one year: the retired code (an old file) or its successors (a new one), never both.
        State alaska = stateOf(2000);
        long before = population(alaska.name());
        try {
            files.serve(with(List.of(2261)));
            refreshed();
            assertEquals(before + 600, population(alaska.name()), "Valdez-Cordova's 600 people counted once");
            files.serve(with(List.of(2063, 2066)));
            refreshed();
            assertEquals(before + 600 + 700, population(alaska.name()), "Chugach's and Copper River's, each once");
        } finally {
            files.restore();
        }
        // South Dakota under its new code alone: Shannon's line renumbered 46102, the same people.
        State dakota = stateOf(46000);
        List<String> renamed = new ArrayList<>(base);
        int k = (113 - 1) / 2;
        long line = country.lineOf(country.states().indexOf(dakota), k);
        renamed.set((int) line - 1, WholeCountryCounties.line(dakota, k, 102,
            WholeCountryCounties.part(dakota.census(), k, COUNTIES)));
        files.assertRefresh(new Variant("Shannon's people under 46102", renamed, null, null), null);
    }

    @Test
    void aCountyMergedIntoOneThatWasLoadsBoth() {
        // Bedford city (51515) joined Bedford County (51019, the file's County 10 of Virginia) in
        // 2013: a file from before lists both, each with its own people.
        State virginia = stateOf(51000);
        long before = population(virginia.name());
        files.serve(with(List.of(51515)));
        try {
            refreshed();
            assertEquals(before + 600, population(virginia.name()), "Bedford city's 600 people beside the county's");
        } finally {
            files.restore();
        }
    }

    private void refreshed() {
        served.given().post("/refresh").then().statusCode(200);
    }

    private long population(String state) {
        return served.given().get("/ratios").jsonPath().getLong("find { it.state == '" + state + "' }.population");
    }
}
