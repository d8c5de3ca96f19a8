package dev.statedoses.ops;

import dev.statedoses.source.SourceName;
import dev.statedoses.warehouse.BoundedReads;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What the warehouse says about the product and its refreshes, for the health check and the
 * metrics. Reading it from the run log (not from this process's memory) makes it right on every
 * instance that shares the warehouse, and across restarts. Every query here reads a few index
 * entries or rows, however long the run log is (db/migration/V16__run_log_reads.sql): the log
 * grows by a row per refresh, and a scan of it per call starved the pool under a polling monitor.
 */
final class WarehouseState {

    /** Seconds a query may take before the check gives up on the warehouse. */
    private static final int QUERY_TIMEOUT_SECONDS = 2;
    /**
     * How long a query waits for a lock another session holds on the product or the run log (an
     * analyst's LOCK TABLE): less than the timeout, so that such a lock is told from a warehouse
     * that does not answer (BoundedReads.lockedOut). It once showed as the warehouse down.
     */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(1);

    private final Jdbi jdbi;

    WarehouseState(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The last refresh that ended well: {@code succeeded} (it built the product served) or
     * {@code unchanged} (it found every source as before and kept that product, which is then
     * current as of this run). Both are a successful check of the sources, so an operator's
     * "time since the last success" must move with either: with historical sources that never
     * change, every refresh is {@code unchanged}, and counting only {@code succeeded} would raise
     * the staleness alert although every refresh works. The product's own age is its
     * {@code refreshed_at}, which an unchanged run leaves as it was.
     */
    record LastSuccess(long runId, String status, Instant startedAt, Instant finishedAt) {
    }

    /**
     * Just what a health check needs: the product's size, when it was refreshed (null when there
     * is none), and the last successful refresh.
     */
    record Product(int stateRows, Instant refreshedAt, LastSuccess lastSuccess) {
    }

    /** The runs that ended with one status: how many, and their summed duration. */
    record Outcome(long runs, double totalSeconds) {
        static final Outcome NONE = new Outcome(0, 0);
    }

    /**
     * What a source delivered to the last successful refresh. (An unchanged run records each
     * source with the rows and bytes it kept, so these stay the product's.)
     */
    record SourceLoad(long rows, long bytes) {
    }

    /** The statuses of a run that ended, as the runs counter's label: each counted under its own. */
    static final List<String> ENDED = List.of("succeeded", "unchanged", "failed");

    /** Everything the metrics show from the warehouse; {@code ended} by status, every one of {@link #ENDED}. */
    record Snapshot(Product product, Map<String, Outcome> ended, long running,
                    Map<SourceName, SourceLoad> sources) {
    }

    Product product() {
        return BoundedReads.read(jdbi, LOCK_WAIT, WarehouseState::product);
    }

    Snapshot snapshot() {
        return BoundedReads.read(jdbi, LOCK_WAIT, h -> {
            Product product = product(h);
            Map<String, Outcome> byStatus = new HashMap<>();
            h.createQuery("""
                    select status, runs, seconds from dwh.refresh_run_totals
                    union all
                    select 'running', count(*), 0 from dwh.refresh_runs where status = 'running'""")
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
            Map<String, Outcome> ended = new HashMap<>();
            ENDED.forEach(status -> ended.put(status, byStatus.getOrDefault(status, Outcome.NONE)));
            return new Snapshot(product, Map.copyOf(ended),
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
                select product.state_rows, product.refreshed_at,
                       last.run_id, last.status, last.started_at, last.finished_at
                from (select count(*) as state_rows, max(refreshed_at) as refreshed_at from dwh.state_doses) as product
                left join lateral (
                    select run_id, status, started_at, finished_at from dwh.refresh_runs
                    where status in ('succeeded', 'unchanged')
                      -- One that ended after the present was timed by a clock ahead (an instance's own,
                      -- before runs were timed on the warehouse's): it would stay the last for as long.
                      and finished_at <= clock_timestamp()
                    order by finished_at desc, run_id desc
                    limit 1) as last on true""")
            .setQueryTimeout(QUERY_TIMEOUT_SECONDS)
            .map((rs, ctx) -> {
                long runId = rs.getLong("run_id");
                LastSuccess last = rs.wasNull() ? null : new LastSuccess(runId, rs.getString("status"),
                    rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("finished_at").toInstant());
                Timestamp refreshedAt = rs.getTimestamp("refreshed_at");
                return new Product(rs.getInt("state_rows"), refreshedAt == null ? null : refreshedAt.toInstant(), last);
            })
            .one();
    }
}
