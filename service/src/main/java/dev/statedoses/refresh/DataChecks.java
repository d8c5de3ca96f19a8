package dev.statedoses.refresh;

import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.WarehouseException;
import java.util.ArrayList;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * The data checks a refresh runs inside its transaction, after it built the product: dbt-style
 * tests written as SQL in {@code sql/checks/}, each answering rows of (name, status, detail).
 * They read the raw tables, {@code dwh.state_doses} and this run's exclusions (the run id is the
 * transaction-local setting {@code state_doses.run_id}).
 */
final class DataChecks {

    /** In the order they run and are reported. */
    private static final List<String> FILES = List.of(
        "checks/unique.sql",
        "checks/not_null.sql",
        "checks/accepted_values.sql",
        "checks/row_count.sql",
        "checks/reconciliation.sql",
        "checks/completeness.sql");

    /** Every check file, sent as one batch of queries: one round trip, each answering its own rows. */
    private static final String ALL = FILES.stream().map(Sql::load).map(String::strip)
        .map(q -> q.endsWith(";") ? q : q + ";").collect(Collectors.joining("\n"));

    private DataChecks() {
    }

    static List<CheckResult> run(Handle tx) {
        List<CheckResult> results = new ArrayList<>();
        try (Statement statement = tx.getConnection().createStatement()) {
            for (boolean rows = statement.execute(ALL); rows || statement.getUpdateCount() != -1;
                 rows = statement.getMoreResults()) {
                if (rows) {
                    try (ResultSet rs = statement.getResultSet()) {
                        while (rs.next()) {
                            results.add(new CheckResult(rs.getString("name"), rs.getString("status"),
                                rs.getString("detail")));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new WarehouseException("running the data checks failed", e);
        }
        return results;
    }
}
