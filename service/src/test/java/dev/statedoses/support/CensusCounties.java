package dev.statedoses.support;

import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A county file that follows the 2020 census, for tests whose allocation files follow it too (as
 * the CDC's do): one county a state and DC, holding the census count the warehouse's reference
 * (dwh.jurisdictions) gives it, under its real county code ({state FIPS}001); and a refresh of
 * such a test's two allocation files beside it.
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

    /**
     * A place's count of each dose, in a week, in a Moderna file that follows {@code census}: a
     * state's and DC's census count / 1,000, New York City 43% of New York's (New York the rest),
     * Chicago 30% of Illinois's, Philadelphia 12% of Pennsylvania's, Puerto Rico 3,000 and Federal
     * Entities 5,000.
     */
    public static double usual(Map<String, Long> census, String place) {
        return switch (place) {
            case "New York" -> census.get("New York") / 1000.0 * 0.57;
            case "New York City" -> census.get("New York") / 1000.0 * 0.43;
            case "Illinois" -> census.get("Illinois") / 1000.0 * 0.70;
            case "Chicago" -> census.get("Illinois") / 1000.0 * 0.30;
            case "Pennsylvania" -> census.get("Pennsylvania") / 1000.0 * 0.88;
            case "Philadelphia" -> census.get("Pennsylvania") / 1000.0 * 0.12;
            case "Puerto Rico" -> 3000;
            case "Federal Entities" -> 5000;
            default -> census.get(place) / 1000.0;
        };
    }

    /** Serves {@code moderna} and {@code pfizer} at /m.csv and /p.csv, and refreshes. */
    public static ValidatableResponse refresh(AppWithUpstream served, String moderna, String pfizer) {
        served.upstream().serve("/m.csv", moderna.getBytes(StandardCharsets.UTF_8));
        served.upstream().serve("/p.csv", pfizer.getBytes(StandardCharsets.UTF_8));
        return served.given().post("/refresh").then();
    }
}
