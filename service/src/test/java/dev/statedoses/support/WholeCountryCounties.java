package dev.statedoses.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A county file of the whole country, as the county checks judge one (every state and DC, 3,000
 * counties or more): each state and DC {@code each} counties, its FIPS code then 001, 003, ...
 * (the Census's odd steps), holding its 2020 census count as the warehouse's reference gives it, a
 * share each (the remainder in the first), in the order of their codes, as the Census writes them.
 */
public final class WholeCountryCounties {

    /** A state's (or DC's) name, FIPS code and 2020 census count. */
    public record State(String name, String fips, long census) {
    }

    private final AppWithUpstream served;
    private final int each;
    private List<State> states;
    private List<String> lines;

    /** The file of {@code each} counties a state, from the reference of {@code served}'s warehouse (read when first asked). */
    public WholeCountryCounties(AppWithUpstream served, int each) {
        this.served = served;
        this.each = each;
    }

    /** The states and DC, by code: the order of the file. */
    public List<State> states() {
        if (states == null) {
            states = TestWarehouse.jdbi(served.config()).withHandle(h -> h.createQuery(
                    "select name, fips, census_2020_population from dwh.jurisdictions "
                        + "where census_2020_population is not null order by fips")
                .map((rs, ctx) -> new State(rs.getString(1), rs.getString(2), rs.getLong(3))).list());
        }
        return states;
    }

    /** Variants of this file against the service: the fixture allocation files and this file loaded first. */
    public CountyFileVariants loaded() {
        CountyFileVariants files = new CountyFileVariants(served, lines());
        files.load();
        return files;
    }

    /** The index in {@link #states()} of the state named {@code name}. */
    public int index(String name) {
        for (int i = 0; i < states().size(); i++) {
            if (states().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The file: its header, then each state's counties. */
    public List<String> lines() {
        if (lines == null) {
            List<String> file = new ArrayList<>(List.of("Id,Id2,County,State,Population Estimate 2018"));
            for (State state : states()) {
                for (int k = 0; k < each; k++) {
                    file.add(line(state, k, 2 * k + 1, part(state.census(), k, each)));
                }
            }
            lines = List.copyOf(file);
        }
        return lines;
    }

    /** The line (1-based, the header 1) of county {@code k} of the state at {@code index}, in {@link #lines()}. */
    public long lineOf(int index, int k) {
        return 2 + (long) each * index + k;
    }

    /** County {@code k} of {@code state}, named County k+1, under county number {@code number}, of {@code people}. */
    public static String line(State state, int k, int number, long people) {
        String code = code(state, number);
        return "0500000US" + code + "," + code + ",County " + (k + 1) + "," + state.name() + "," + people;
    }

    /** The five-digit code of county {@code number} of {@code state}. */
    public static String code(State state, int number) {
        return state.fips() + String.format(Locale.ROOT, "%03d", number);
    }

    /** County {@code k}'s part of {@code people} shared out among {@code each}. */
    public static long part(long people, int k, int each) {
        return people / each + (k == 0 ? people % each : 0);
    }
}
