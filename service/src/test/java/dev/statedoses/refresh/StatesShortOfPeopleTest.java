package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.TestWarehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A state whose counties hold far fewer people than its census count, in a county file of the
 * whole country (sql/checks/sources/states_short_of_people.sql): counties lost, or the file cut
 * short inside the state. The real file cut at a line end inside Wyoming loaded with Wyoming at
 * 0.83 of its people. The test's county file is the whole country: each state and DC three
 * counties (its FIPS code then 001, 003, 005) holding its 2020 census count as the warehouse's
 * reference gives it, a third each (the remainder in the first), in the order of their codes, as
 * the Census writes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatesShortOfPeopleTest {

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    /** Each state's name, FIPS code and census count, by code. */
    private record State(String name, String fips, long census) {
    }

    private List<State> states;
    private List<String> counties;
    private CountyFileVariants files;

    @BeforeAll
    void start() {
        states = TestWarehouse.jdbi(served.config()).withHandle(h -> h.createQuery(
                "select name, fips, census_2020_population from dwh.jurisdictions "
                    + "where census_2020_population is not null order by fips")
            .map((rs, ctx) -> new State(rs.getString(1), rs.getString(2), rs.getLong(3))).list());
        counties = new ArrayList<>(List.of("Id,Id2,County,State,Population Estimate 2018"));
        for (State state : states) {
            for (int k = 0; k < 3; k++) {
                counties.add(line(state, k, third(state.census(), k)));
            }
        }
        files = new CountyFileVariants(served, counties);
        files.load();
    }

    private static long third(long people, int k) {
        return people / 3 + (k == 0 ? people % 3 : 0);
    }

    private static String line(State state, int k, long people) {
        String code = state.fips() + "00" + (2 * k + 1);
        return "0500000US" + code + "," + code + ",County " + (k + 1) + "," + state.name() + "," + people;
    }

    /** The line (1-based, the header 1) of county {@code k} of the state at {@code index}. */
    private static long lineOf(int index, int k) {
        return 2 + 3L * index + k;
    }

    private int index(String name) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The detail naming {@code state} with {@code kept} counties holding {@code people}, the country at 0.99 to 1. */
    private String detail(String name, int kept, long people, String ratio, String country) {
        int i = index(name);
        State state = states.get(i);
        return "the " + kept + " " + (kept == 1 ? "county" : "counties") + " of " + name + " (lines " + lineOf(i, 0)
            + " to " + lineOf(i, kept - 1) + ") add up to " + people + " people, " + ratio + " of its 2020 census "
            + "count (" + state.census() + "), though the file's states add up to " + country + " of the country's: "
            + "are counties of " + name + " lost, or is the file cut short? " + name + " would be published with too "
            + "few people.";
    }

    @Test
    void theFileCutInsideItsLastStateFails() {
        // Wyoming (56) is the last: its third county cut away, two thirds of its people kept.
        int wyoming = index("Wyoming");
        assertEquals(states.size() - 1, wyoming, "Wyoming's code, 56, is the last");
        List<String> cut = new ArrayList<>(counties.subList(0, counties.size() - 1));
        long kept = third(states.get(wyoming).census(), 0) + third(states.get(wyoming).census(), 1);
        files.assertRefresh(new Variant("Wyoming's last county cut", cut, lineOf(wyoming, 1),
            detail("Wyoming", 2, kept, "0.67", "1.00")), "State");
    }

    @Test
    void ninetyPerCentIsTheLine() {
        // Texas's counties scaled to 0.91 of its census count load; to 0.89 fail.
        int texas = index("Texas");
        State state = states.get(texas);
        loads(scaled(texas, 0.91));
        List<String> under = scaled(texas, 0.89);
        long people = 0;
        for (int k = 0; k < 3; k++) {
            people += Long.parseLong(under.get((int) lineOf(texas, k) - 1).split(",")[4]);
        }
        files.assertRefresh(new Variant("Texas at 0.89", under, lineOf(texas, 2),
            detail("Texas", 3, people, "0.89", "0.99")), "State");
        assertTrue(people < 0.9 * state.census());
    }

    @Test
    void aFileThatIsNotTheCountryIsNotJudged() {
        // Every state at 0.85 of its census count: the file is not the country's (0.85), and loads.
        List<String> lines = new ArrayList<>(counties);
        for (int i = 0; i < states.size(); i++) {
            lines = scaled(lines, i, 0.85);
        }
        loads(lines);
    }

    @Test
    void generatedStatesShortOfCountiesFail() {
        Random random = new Random(20261201);
        for (int round = 0; round < 4; round++) {
            int i = random.nextInt(states.size());
            State state = states.get(i);
            // One or two of its three counties lost from the middle of the file.
            List<String> lines = new ArrayList<>(counties);
            int lost = 1 + random.nextInt(2);
            for (int k = 0; k < lost; k++) {
                lines.remove((int) lineOf(i, 2 - k) - 1);
            }
            long people = 0;
            for (int k = 0; k < 3 - lost; k++) {
                people += third(state.census(), k);
            }
            double ratio = (double) people / state.census();
            String named = String.format(Locale.ROOT, "%.2f", ratio);
            files.assertRefresh(new Variant(state.name() + " without " + lost + " counties", lines,
                lineOf(i, 2 - lost), detail(state.name(), 3 - lost, people, named, "0.99")
                    .replace("0.99 of the country's", countryRatio(state.census() - people))), "State");
        }
    }

    /** The file's states against the country, with {@code lost} people fewer, as the detail writes it. */
    private String countryRatio(long lost) {
        long census = states.stream().mapToLong(State::census).sum();
        return String.format(Locale.ROOT, "%.2f", (double) (census - lost) / census) + " of the country's";
    }

    /** Refreshes with {@code lines} as the county file: it loads (its numbers are its own); then the test's file again. */
    private void loads(List<String> lines) {
        files.serve(lines);
        try {
            served.given().post("/refresh").then().statusCode(200);
        } finally {
            files.restore();
        }
    }

    private List<String> scaled(int index, double factor) {
        return scaled(counties, index, factor);
    }

    /** {@code lines} with the counties of the state at {@code index} scaled to {@code factor} of its census count. */
    private List<String> scaled(List<String> lines, int index, double factor) {
        List<String> scaled = new ArrayList<>(lines);
        State state = states.get(index);
        long people = Math.round(state.census() * factor);
        for (int k = 0; k < 3; k++) {
            scaled.set((int) lineOf(index, k) - 1, line(state, k, third(people, k)));
        }
        return scaled;
    }
}
