package dev.statedoses.support;

import org.jdbi.v3.core.Handle;

/** Rows put straight into the raw tables, for tests of the SQL that reads them (run 0, line 0). */
public final class RawRows {

    private RawRows() {
    }

    /** One allocation row; {@code manufacturer} is moderna or pfizer, {@code week} an ISO date. */
    public static void allocate(Handle h, String manufacturer, String jurisdiction, String week, long first,
                                long second) {
        h.createUpdate("insert into raw.cdc_" + manufacturer + "_allocations (run_id, line, jurisdiction, "
                + "week_of_allocations, first_dose_allocations, second_dose_allocations) "
                + "values (0, 0, :j, cast(:w as date), :f, :s)")
            .bind("j", jurisdiction).bind("w", week).bind("f", first).bind("s", second).execute();
    }

    /** One county of the population file. */
    public static void county(Handle h, String state, String county, long population) {
        h.createUpdate("insert into raw.county_population (run_id, line, county, state, population_estimate_2018) "
                + "values (0, 0, :c, :s, :p)")
            .bind("c", county).bind("s", state).bind("p", population).execute();
    }
}
