package dev.statedoses.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A county file that follows the 2020 census, for tests whose allocation files follow it too (as
 * the CDC's do): one county a state and DC, holding the census count the warehouse's reference
 * (dwh.jurisdictions) gives it, under its real county code ({state FIPS}001).
 */
public final class CensusCounties {

    private CensusCounties() {
    }

    /**
     * Serves the county file at /c.csv on {@code served}'s upstream, and answers each state's and
     * DC's census count, by name, as the reference of {@code served}'s warehouse gives it.
     */
    public static Map<String, Long> serve(AppWithUpstream served) {
        Map<String, Long> census = new HashMap<>();
        Map<String, String> fips = new HashMap<>();
        TestWarehouse.jdbi(served.config()).useHandle(h -> h.createQuery(
                "select name, fips, census_2020_population from dwh.jurisdictions where census_2020_population is not null")
            .map((rs, ctx) -> {
                census.put(rs.getString(1), rs.getLong(3));
                fips.put(rs.getString(1), rs.getString(2));
                return null;
            }).list());
        List<String> counties = new ArrayList<>(List.of("Id,Id2,County,State,Population Estimate 2018"));
        census.forEach((state, people) -> counties.add("0500000US" + fips.get(state) + "001," + fips.get(state)
            + "001,County," + state + "," + people));
        served.upstream().serve("/c.csv", (String.join("\n", counties) + "\n").getBytes(StandardCharsets.UTF_8));
        return Map.copyOf(census);
    }
}
