package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.support.WholeCountryCounties;
import dev.statedoses.support.WholeCountryCounties.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A county's line lost from a county file of the whole country, told by the gap it leaves in its
 * state's odd county codes (sql/checks/sources/lost_counties.sql). A county under a tenth of its
 * state leaves the state within its census count: one line deleted at random from the real file
 * loaded with a wrong population in 3,012 cases of its 3,142 lines of a state or DC.
 *
 * <p>The test's file is the whole country: each state and DC 60 counties (its FIPS code then 001,
 * 003, ... 119; 3,060 lines), holding its 2020 census count a 60th each (the remainder in the
 * first), in the order of their codes, as the Census writes them. Losing one county of 60 keeps
 * every state within its census count, so only the codes can tell.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostCountiesTest {

    private static final int COUNTIES = 60;

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final WholeCountryCounties country = new WholeCountryCounties(served, COUNTIES);
    private CountyFileVariants files;

    @BeforeAll
    void start() {
        files = country.loaded();
    }

    /** County {@code k} of {@code state} under county number {@code number}, its people as in the test's file. */
    private static String line(State state, int k, int number) {
        return WholeCountryCounties.line(state, k, number, WholeCountryCounties.part(state.census(), k, COUNTIES));
    }

    private static String code(State state, int number) {
        return WholeCountryCounties.code(state, number);
    }



    /** The test's file without county {@code k} of each state at {@code indexes} (the later lines first). */
    private List<String> without(int k, int... indexes) {
        List<String> lines = new ArrayList<>(country.lines());
        for (int i = indexes.length - 1; i >= 0; i--) {
            lines.remove((int) country.lineOf(indexes[i], k) - 1);
        }
        return lines;
    }

    /**
     * The variant losing county {@code k} of the state at {@code index} (its only gap, or the first
     * of {@code lost}): named at the line of the county after it, which has moved up into its place.
     */
    private Variant lost(String name, List<String> lines, int index, int k, int lost) {
        State state = country.states().get(index);
        String after = "County " + (k + 2) + " (" + code(state, 2 * k + 3) + ", line " + country.lineOf(index, k) + ")";
        String where = k == 0 ? "before " + after
            : "between County " + k + " (" + code(state, 2 * k - 1) + ", line " + country.lineOf(index, k - 1) + ") and " + after;
        String more = lost == 1 ? "" : lost == 2 ? " (1 more code is missing so)" : " (" + (lost - 1) + " more codes are missing so)";
        return new Variant(name, lines, country.lineOf(index, k), "no line gives county " + code(state, 2 * k + 1) + " of "
            + state.name() + ", " + where + ": the Census numbers a state's counties in odd steps, so a county's line "
            + "looks lost" + more + ". " + state.name() + " would be published without that county's people.");
    }

    @Test
    void aCountyLostFromTheMiddleOfItsStateFails() {
        // New York's third county, 36005 (as the Bronx is): a 60th of its people, within its census count.
        int newYork = country.index("New York");
        files.assertRefresh(lost("New York's third county lost", without(2, newYork), newYork, 2, 1), "Id2");
    }

    @Test
    void aStatesFirstCountyLostFails() {
        int alabama = country.index("Alabama");
        assertEquals(0, alabama, "Alabama's code, 01, is the first");
        files.assertRefresh(lost("Alabama's first county lost", without(0, alabama), alabama, 0, 1), "Id2");
    }

    @Test
    void countiesLostInSeveralStatesAreCounted() {
        // The first gap by code is named, and the others counted.
        int texas = country.index("Texas");
        int vermont = country.index("Vermont");
        int ohio = country.index("Ohio");
        files.assertRefresh(lost("a county lost in Ohio, Texas and Vermont", without(30, ohio, texas, vermont), ohio,
            30, 3), "Id2");
    }

    @Test
    void whatTheCodesCannotTellLoads() {
        // A state's last county: no code after it. Its people are lost: Texas a 60th short.
        int texas = country.index("Texas");
        files.loads(without(COUNTIES - 1, texas));
        // Alaska numbers its boroughs apart (013, 016, 020, ...): not judged.
        files.loads(without(7, country.index("Alaska")));
    }

    @Test
    void codesNoCountyHoldsLoad() {
        // Dade, Florida (12025) became Miami-Dade (12086); Georgia's 041 and Virginia's 039 and 055 are no county
        // now. The counties under them moved to even codes, the same people.
        List<String> lines = new ArrayList<>(country.lines());
        renumber(lines, country.index("Florida"), 12, 86);
        renumber(lines, country.index("Georgia"), 20, 42);
        renumber(lines, country.index("Virginia"), 19, 36);
        renumber(lines, country.index("Virginia"), 27, 126);
        files.assertRefresh(new Variant("Florida, Georgia and Virginia as the Census numbers them", lines, null, null),
            null);
        // The same gaps anywhere else are counties lost.
        List<String> elsewhere = new ArrayList<>(country.lines());
        int ohio = country.index("Ohio");
        renumber(elsewhere, ohio, 12, 86);
        State state = country.states().get(ohio);
        files.assertRefresh(new Variant("Ohio's 025 under 086", elsewhere, country.lineOf(ohio, 13),
            "no line gives county " + code(state, 25) + " of Ohio, between County 12 (" + code(state, 23) + ", line "
                + country.lineOf(ohio, 11) + ") and County 14 (" + code(state, 27) + ", line " + country.lineOf(ohio, 13) + ")"),
            "Id2");
    }

    @Test
    void connecticutsPlanningRegionsLoad() {
        // From 2022 Connecticut's people are in nine planning regions, 09110 to 09190, not its eight country.lines().
        int connecticut = country.index("Connecticut");
        State state = country.states().get(connecticut);
        List<String> lines = new ArrayList<>(country.lines());
        for (int k = 0; k < COUNTIES; k++) {
            lines.set((int) country.lineOf(connecticut, k) - 1, line(state, k, 110 + 2 * k));
        }
        files.assertRefresh(new Variant("Connecticut in regions of even codes", lines, null, null), null);
    }

    @Test
    void aFileNumberedOtherwiseIsNotJudged() {
        // Every state's counties four codes apart: half of the odd codes missing, a numbering of the file's own.
        List<String> lines = new ArrayList<>(List.of(country.lines().get(0)));
        for (State state : country.states()) {
            for (int k = 0; k < COUNTIES; k++) {
                lines.add(line(state, k, 4 * k + 1));
            }
        }
        files.assertRefresh(new Variant("counties four codes apart", lines, null, null), null);
    }

    @Test
    void aFileOfFewerCountiesIsNotJudged() {
        // 50 counties a state (2,550 lines, the rest cut from each): not the whole country's file.
        List<String> lines = new ArrayList<>(List.of(country.lines().get(0)));
        Set<Integer> gone = Set.of(1, 5, 9, 13, 17, 21, 25, 29, 33, 37);
        for (int i = 0; i < country.states().size(); i++) {
            for (int k = 0; k < COUNTIES; k++) {
                if (!gone.contains(k)) {
                    lines.add(country.lines().get((int) country.lineOf(i, k) - 1));
                }
            }
        }
        files.loads(lines);
    }

    @Test
    void generatedLostCountiesFail() {
        Random random = new Random(20261203);
        int alaska = country.index("Alaska");
        for (int round = 0; round < 8; round++) {
            int i = random.nextInt(country.states().size());
            if (i == alaska) {
                continue;
            }
            int k = random.nextInt(COUNTIES - 1);
            files.assertRefresh(lost(country.states().get(i).name() + "'s county " + (k + 1) + " lost", without(k, i), i, k, 1),
                "Id2");
        }
    }

    /**
     * A file cut at a line end inside the state it ends in, as a download of no declared length
     * cut there loads. The file follows the Census's numbering: each state's counties run in odd
     * steps to the last code the Census gives it (dwh.jurisdictions.last_county: Wyoming's 56045,
     * 23 counties), its people shared among them. Losing its last one or two lines (4% and 9% of
     * Wyoming, within the census check's tenth) is refused, at the line of the county the file now
     * ends with: no code after the lost ones showed them lost before. The whole file loads, and so
     * does one in another order (it ends in Delaware, which has all its codes); and the test's own
     * file of 60 counties a state, numbered short of the Census's codes in most states, is no cut
     * file wherever it ends (the other tests load and vary it).
     */
    @Test
    void aFileCutInsideTheStateItEndsInFails() {
        Map<String, Integer> lastCounty = new HashMap<>();
        TestWarehouse.jdbi(served.config()).useHandle(h -> h.createQuery(
                "select name, last_county from dwh.jurisdictions where last_county is not null")
            .map((rs, ctx) -> lastCounty.put(rs.getString(1), rs.getInt(2))).list());
        List<String> whole = new ArrayList<>(List.of(country.lines().get(0)));
        long wyomingFirstLine = 0;
        for (State state : country.states()) {
            int counties = (lastCounty.getOrDefault(state.name(), 59) + 1) / 2; // Alaska, not judged: 30
            if (state.name().equals("Wyoming")) {
                wyomingFirstLine = whole.size() + 1;
            }
            for (int k = 0; k < counties; k++) {
                whole.add(WholeCountryCounties.line(state, k, 2 * k + 1, WholeCountryCounties.part(state.census(), k, counties)));
            }
        }
        assertEquals("Wyoming", country.states().get(country.states().size() - 1).name(), "the file ends in Wyoming");
        assertEquals(wyomingFirstLine + 22, whole.size(), "Wyoming's 23 counties end the file");
        files.loads(whole);
        List<String> reordered = new ArrayList<>(whole);
        int delaware = whole.indexOf(WholeCountryCounties.line(country.states().get(country.index("Delaware")), 0, 1,
            WholeCountryCounties.part(country.states().get(country.index("Delaware")).census(), 0, 3)));
        reordered.add(reordered.remove(delaware));
        files.loads(reordered);
        State wyoming = country.states().get(country.index("Wyoming"));
        for (int cut = 1; cut <= 2; cut++) {
            List<String> lines = List.copyOf(whole.subList(0, whole.size() - cut));
            int last = 23 - cut; // County {last}, code 2 * last - 1
            long line = lines.size();
            files.assertRefresh(new Variant("Wyoming's last " + cut + " lines cut", lines, line,
                "no line gives county " + code(wyoming, 2 * last + 1) + " of Wyoming: the file's last county of Wyoming "
                    + "is County " + last + " (" + code(wyoming, 2 * last - 1) + ", line " + line + "), and the Census "
                    + "numbers Wyoming's counties in odd steps to 56045" + (cut == 2 ? " (1 more code is missing so)" : "")
                    + ". Is the file cut short? Wyoming would be published without those counties' people."), "Id2");
        }
    }

    /** County {@code k} of the state at {@code index} given county number {@code number}. */
    private void renumber(List<String> lines, int index, int k, int number) {
        lines.set((int) country.lineOf(index, k) - 1, line(country.states().get(index), k, number));
    }
}
