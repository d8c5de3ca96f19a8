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
 * A state whose counties hold far fewer or far more people than its census count, in a county
 * file of the whole country (sql/checks/sources/states_off_their_census.sql): counties lost, the
 * file cut short inside the state, a population with a digit too many, counties scaled. The real
 * file cut at a line end inside Wyoming loaded with Wyoming at 0.83 of its people; Montgomery,
 * Texas written ten times over, with Texas at 1.17. The test's county file is the whole country:
 * each state and DC 60 counties (its FIPS code then 001, 003, ... 119; 3,060 lines) holding its
 * 2020 census count as the warehouse's reference gives it, a 60th each (the remainder in the
 * first), in the order of their codes, as the Census writes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatesOffTheirCensusTest {

    private static final int COUNTIES = 60;

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final WholeCountryCounties country = new WholeCountryCounties(served, COUNTIES);
    private CountyFileVariants files;

    @BeforeAll
    void start() {
        files = country.loaded();
    }



    /** The people of the state at {@code index} in {@code lines}. */
    private long people(List<String> lines, int index) {
        String name = country.states().get(index).name();
        return lines.stream().skip(1).map(l -> l.split(",")).filter(f -> f[3].equals(name))
            .mapToLong(f -> Long.parseLong(f[4])).sum();
    }

    /** The detail naming the state at {@code index}, its first {@code kept} counties in {@code lines}. */
    private String detail(List<String> lines, int index, int kept, boolean under) {
        State state = country.states().get(index);
        long people = people(lines, index);
        String ratio = String.format(Locale.ROOT, "%.2f", (double) people / state.census());
        return "the " + kept + " counties of " + state.name() + " (lines " + country.lineOf(index, 0) + " to "
            + country.lineOf(index, kept - 1) + ") add up to " + people + " people, " + ratio + " times its 2020 census "
            + "count (" + state.census() + "), in a county file of the whole country (" + (lines.size() - 1)
            + " counties): " + (under ? "are counties of " + state.name() + " lost, or is the file cut short?"
                : "a population with a digit too many, or counties of another state?")
            + " " + state.name() + " would be published with too " + (under ? "few" : "many") + " people.";
    }

    @Test
    void theFileCutInsideItsLastStateFails() {
        // Wyoming (56) is the last: its last 20 counties cut away, two thirds of its people kept.
        int wyoming = country.index("Wyoming");
        assertEquals(country.states().size() - 1, wyoming, "Wyoming's code, 56, is the last");
        List<String> cut = new ArrayList<>(country.lines().subList(0, country.lines().size() - 20));
        files.assertRefresh(new Variant("Wyoming's last 20 counties cut", cut, country.lineOf(wyoming, 39),
            detail(cut, wyoming, 40, true)), "State");
    }

    @Test
    void aCountysPopulationWithADigitTooManyFails() {
        // Texas's tenth county written ten times over: Texas at 1 + 9/60 = 1.15.
        int texas = country.index("Texas");
        List<String> lines = new ArrayList<>(country.lines());
        int at = (int) country.lineOf(texas, 9) - 1;
        String[] f = lines.get(at).split(",");
        lines.set(at, String.join(",", f[0], f[1], f[2], f[3], f[4] + "0"));
        files.assertRefresh(new Variant("a Texas county ten times over", lines, country.lineOf(texas, COUNTIES - 1),
            detail(lines, texas, COUNTIES, false)), "State");
    }

    @Test
    void ninetyAndAHundredAndTenPerCentAreTheLines() {
        int texas = country.index("Texas");
        files.loads(scaled(country.lines(), texas, 0.91));
        files.loads(scaled(country.lines(), texas, 1.09));
        List<String> under = scaled(country.lines(), texas, 0.89);
        files.assertRefresh(new Variant("Texas at 0.89", under, country.lineOf(texas, COUNTIES - 1),
            detail(under, texas, COUNTIES, true)), "State");
        List<String> over = scaled(country.lines(), texas, 1.11);
        files.assertRefresh(new Variant("Texas at 1.11", over, country.lineOf(texas, COUNTIES - 1),
            detail(over, texas, COUNTIES, false)), "State");
    }

    @Test
    void theWholeFileInThousandsFails() {
        // Every state a thousandth: the furthest off is named (by rounding, any of them), and all.
        List<String> lines = new ArrayList<>(country.lines());
        for (int i = 0; i < country.states().size(); i++) {
            lines = scaled(lines, i, 0.001);
        }
        files.serve(lines);
        try {
            served.given().post("/refresh").then().statusCode(422)
                .body("column", org.hamcrest.Matchers.equalTo("State"))
                .body("detail", org.hamcrest.Matchers.containsString("0.00 times its 2020 census count"))
                .body("detail", org.hamcrest.Matchers.containsString("(50 more states are so)"));
        } finally {
            files.restore();
        }
    }

    @Test
    void aFileOfFewerCountiesIsNotJudged() {
        // 50 counties a state (2,550): not the whole country's file, whatever its numbers.
        List<String> lines = new WholeCountryCounties(served, 50).lines();
        for (int i = 0; i < country.states().size(); i++) {
            lines = scaled(lines, i, 0.5);
        }
        files.loads(lines);
    }

    @Test
    void generatedStatesOffFail() {
        Random random = new Random(20261201);
        for (int round = 0; round < 6; round++) {
            int i = random.nextInt(country.states().size());
            State state = country.states().get(i);
            List<String> lines = new ArrayList<>(country.lines());
            if (round % 2 == 0) {
                // Counties lost from the middle of the file: the state's last 10 to 40.
                int lost = 10 + random.nextInt(31);
                for (int k = 0; k < lost; k++) {
                    lines.remove((int) country.lineOf(i, COUNTIES - 1 - k) - 1);
                }
                files.assertRefresh(new Variant(state.name() + " without " + lost + " counties", lines,
                    country.lineOf(i, COUNTIES - 1 - lost), detail(lines, i, COUNTIES - lost, true)), "State");
            } else {
                // Some of its counties with a digit too many: 1 + 9k/60 for k of 7 to 20.
                int many = 7 + random.nextInt(14);
                for (int k = 0; k < many; k++) {
                    int at = (int) country.lineOf(i, k) - 1;
                    String[] f = lines.get(at).split(",");
                    lines.set(at, String.join(",", f[0], f[1], f[2], f[3], f[4] + "0"));
                }
                files.assertRefresh(new Variant(state.name() + " with " + many + " counties ten times over", lines,
                    country.lineOf(i, COUNTIES - 1), detail(lines, i, COUNTIES, false)), "State");
            }
        }
    }

    /** {@code lines} with the counties of the state at {@code index} scaled to {@code factor} of its census count. */
    private List<String> scaled(List<String> lines, int index, double factor) {
        List<String> scaled = new ArrayList<>(lines);
        State state = country.states().get(index);
        long people = Math.round(state.census() * factor);
        int each = (int) scaled.stream().skip(1).filter(l -> l.split(",")[3].equals(state.name())).count();
        int first = 1;
        while (!scaled.get(first).split(",")[3].equals(state.name())) {
            first++;
        }
        for (int k = 0; k < each; k++) {
            scaled.set(first + k, WholeCountryCounties.line(state, k, 2 * k + 1, WholeCountryCounties.part(people, k, each)));
        }
        return scaled;
    }
}
