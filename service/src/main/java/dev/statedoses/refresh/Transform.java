package dev.statedoses.refresh;

import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.WarehouseException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;

/**
 * Transform: the SQL that turns this run's raw rows into the product, in the warehouse and in the
 * refresh's transaction (ELT, as dbt does it). Each step is a resource file under {@code sql/}:
 * staging reads the raw tables once into temporary tables of the run; then one file per output
 * table builds it; then the run's doses are counted once, for its report and for the
 * reconciliation check. The run id is the transaction-local setting {@code state_doses.run_id}.
 */
final class Transform {

    /** This refresh's allocations and counties (run_allocations, run_counties), for every step after the load. */
    private static final String STAGE = script("stage_allocations.sql", "stage_counties.sql");
    /** One file per output table, in the order they are built (the weeks are read from the state rows). */
    private static final String BUILD = script("build_state_doses.sql", "build_refresh_exclusions.sql",
        "build_state_doses_weekly.sql");
    /** The run's doses, in the sources, in its state rows and excluded (run_dose_totals). */
    private static final String DOSE_TOTALS = Sql.load("dose_totals.sql");

    private Transform() {
    }

    /** Stages the freshly loaded raw tables (sql/stage_*.sql). */
    static void stage(Handle tx) {
        execute(tx, STAGE, "building the product failed");
    }

    /** Builds dwh.state_doses, the run's exclusions and dwh.state_doses_weekly (sql/build_*.sql). */
    static void build(Handle tx) {
        execute(tx, BUILD, "building the product failed");
    }

    /**
     * Counts the doses of the product just built once, into run_dose_totals (sql/dose_totals.sql):
     * what the run's report gives ({@link Totals#ofRun}) and the reconciliation check tests.
     */
    static void countDoses(Handle tx) {
        execute(tx, DOSE_TOTALS, "counting the doses failed");
    }

    /** Runs {@code sql}, one or more statements, in one round trip. */
    static void execute(Handle tx, String sql, String failing) {
        try (Statement statement = tx.getConnection().createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new WarehouseException(failing, e);
        }
    }

    /** Resource files under sql/, run as one script, each statement ended with a semicolon. */
    static String script(String... files) {
        return Stream.of(files).map(Sql::load).map(String::strip).map(q -> q.endsWith(";") ? q : q + ";")
            .collect(Collectors.joining("\n"));
    }
}
