package dev.statedoses.refresh;

import dev.statedoses.warehouse.Sql;
import java.util.ArrayList;
import java.util.List;
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

    private static final List<String> QUERIES = FILES.stream().map(Sql::load).toList();

    private DataChecks() {
    }

    static List<CheckResult> run(Handle tx) {
        List<CheckResult> results = new ArrayList<>();
        for (String query : QUERIES) {
            results.addAll(tx.createQuery(query)
                .map((rs, ctx) -> new CheckResult(rs.getString("name"), rs.getString("status"), rs.getString("detail")))
                .list());
        }
        return results;
    }
}
