package dev.statedoses.ops;

import dev.statedoses.source.SourceName;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What the warehouse says about the product and its refreshes, read fresh for each health check
 * and each metrics scrape. Reading it from {@code dwh.refresh_runs} (not from this process's
 * memory) makes it right on every instance that shares the warehouse, and across restarts.
 */
final class WarehouseState {

    /** Seconds a query may take before the check gives up on the warehouse. */
    private static final int QUERY_TIMEOUT_SECONDS = 2;

    private final Jdbi jdbi;

    WarehouseState(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The last refresh that succeeded: its product is the one served. */
    record LastSuccess(long runId, Instant startedAt, Instant finishedAt) {
    }

    /** Just what a health check needs: the product's size and the last successful refresh. */
    record Product(int stateRows, LastSuccess lastSuccess) {
    }

    /** The runs that ended with one status: how many, and their summed duration. */
    record Outcome(long runs, double totalSeconds) {
        static final Outcome NONE = new Outcome(0, 0);
    }

    /** What a source delivered to the last successful refresh. */
    record SourceLoad(long rows, long bytes) {
    }

    /** Everything the metrics show from the warehouse. */
    record Snapshot(Product product, Outcome succeeded, Outcome failed, long running,
                    Map<SourceName, SourceLoad> sources) {
    }

    Product product() {
        return jdbi.withHandle(WarehouseState::product);
    }

    Snapshot snapshot() {
        return jdbi.withHandle(h -> {
            Product product = product(h);
            Map<String, Outcome> byStatus = new HashMap<>();
            h.createQuery("""
                    select status, count(*) as runs,
                           coalesce(sum(extract(epoch from finished_at - started_at)), 0) as seconds
                    from dwh.refresh_runs group by status""")
                .setQueryTimeout(QUERY_TIMEOUT_SECONDS)
                .map((rs, ctx) -> Map.entry(rs.getString("status"),
                    new Outcome(rs.getLong("runs"), rs.getDouble("seconds"))))
                .forEach(e -> byStatus.put(e.getKey(), e.getValue()));
            Map<SourceName, SourceLoad> sources = new EnumMap<>(SourceName.class);
            if (product.lastSuccess() != null) {
                h.createQuery("select source, rows, bytes from dwh.refresh_run_sources where run_id = :run")
                    .setQueryTimeout(QUERY_TIMEOUT_SECONDS)
                    .bind("run", product.lastSuccess().runId())
                    .map((rs, ctx) -> Map.entry(SourceName.of(rs.getString("source")),
                        new SourceLoad(rs.getLong("rows"), rs.getLong("bytes"))))
                    .forEach(e -> sources.put(e.getKey(), e.getValue()));
            }
            return new Snapshot(product,
                byStatus.getOrDefault("succeeded", Outcome.NONE),
                byStatus.getOrDefault("failed", Outcome.NONE),
                byStatus.getOrDefault("running", Outcome.NONE).runs(),
                sources);
        });
    }

    /** Why a read failed, in one short line: the innermost cause (without JDBI's copy of the SQL). */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static Product product(Handle h) {
        return h.createQuery("""
                select (select count(*) from dwh.state_doses) as state_rows,
                       last.run_id, last.started_at, last.finished_at
                from (select 1) as one
                left join lateral (
                    select run_id, started_at, finished_at from dwh.refresh_runs
                    where status = 'succeeded'
                    order by finished_at desc, run_id desc
                    limit 1) as last on true""")
            .setQueryTimeout(QUERY_TIMEOUT_SECONDS)
            .map((rs, ctx) -> {
                long runId = rs.getLong("run_id");
                LastSuccess last = rs.wasNull() ? null : new LastSuccess(runId,
                    rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("finished_at").toInstant());
                return new Product(rs.getInt("state_rows"), last);
            })
            .one();
    }
}
