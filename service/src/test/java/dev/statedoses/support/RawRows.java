package dev.statedoses.support;

import dev.statedoses.warehouse.Sql;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;

/**
 * Rows put straight into the raw tables, and the transform run over them as a refresh runs it,
 * for tests of the SQL on its own (raw rows carry run 0, line 0).
 */
public final class RawRows {

    private static final String STAGE = script("stage_allocations.sql", "stage_counties.sql");

    /**
     * The build as a refresh runs it after staging (refresh/Transform.java, refresh/Checks.java):
     * one file per output table, then the check that the weeks add up to the state rows.
     */
    public static final String BUILD = script("build_state_doses.sql", "build_refresh_exclusions.sql",
        "build_state_doses_weekly.sql", "checks/build/weeks_add_up.sql");

    private RawRows() {
    }

    private static String script(String... files) {
        return Stream.of(files).map(Sql::load).collect(Collectors.joining("\n"));
    }

    /** Empties the raw tables, so that a test sees only the rows it puts there. */
    public static void truncate(Handle h) {
        h.execute("truncate raw.cdc_moderna_allocations, raw.cdc_pfizer_allocations, raw.county_population");
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

    /** Starts a run inside {@code h}'s transaction as a refresh does: a 'running' row, and its id as state_doses.run_id. */
    public static long beginRun(Handle h) {
        long run = h.createQuery("insert into dwh.refresh_runs (status, started_at) values ('running', now()) "
            + "returning run_id").mapTo(Long.class).one();
        h.createQuery("select set_config('state_doses.run_id', :run, true)")
            .bind("run", Long.toString(run)).mapTo(String.class).one();
        return run;
    }

    /**
     * Runs {@code script} (the transform: {@link #BUILD}, or a variant of it) in {@code h}'s transaction under a new run, after staging
     * the raw allocations and counties as a refresh does (sql/stage_allocations.sql,
     * sql/stage_counties.sql); returns the run id.
     */
    public static long transform(Handle h, String script) throws SQLException {
        long run = beginRun(h);
        stage(h);
        try (Statement statement = h.getConnection().createStatement()) {
            statement.execute(script);
        }
        return run;
    }

    /** Stages the raw allocations in {@code h}'s transaction, as a refresh does after loading them. */
    public static void stage(Handle h) {
        try (Statement statement = h.getConnection().createStatement()) {
            statement.execute(STAGE);
        } catch (SQLException e) {
            throw new IllegalStateException("staging the allocations failed", e);
        }
    }
}
