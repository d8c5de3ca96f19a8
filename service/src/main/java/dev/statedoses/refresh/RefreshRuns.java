package dev.statedoses.refresh;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The log of refresh attempts, {@code dwh.refresh_runs}: every attempt, its outcome, its sources
 * ({@code dwh.refresh_run_sources}) and its data checks ({@code dwh.refresh_checks}).
 */
final class RefreshRuns {

    private final Jdbi jdbi;

    RefreshRuns(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records an attempt as running, committed at once, so it stays on record whatever follows. */
    long start(Instant at) {
        return jdbi.withHandle(h -> h.createQuery(
                "insert into dwh.refresh_runs (status, started_at) values ('running', :at) returning run_id")
            .bind("at", at)
            .mapTo(Long.class)
            .one());
    }

    /** Marks the run succeeded, inside the refresh's own transaction: it commits with the product. */
    void succeeded(Handle tx, long runId, Instant at, int stateRows, List<SourceReport> sources,
                   List<CheckResult> checks) {
        tx.createUpdate("""
                update dwh.refresh_runs
                set status = 'succeeded', finished_at = :at, state_rows = :rows
                where run_id = :run""")
            .bind("at", at)
            .bind("rows", stateRows)
            .bind("run", runId)
            .execute();
        record(tx, runId, sources, checks);
    }

    /**
     * Marks the run failed, after its transaction was rolled back, with the sources it had loaded
     * by then and the checks it ran (none unless a check failed it), in one transaction.
     */
    void failed(long runId, Instant at, String error, List<SourceReport> sources, List<CheckResult> checks) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    update dwh.refresh_runs set status = 'failed', finished_at = :at, error = :error
                    where run_id = :run""")
                .bind("at", at)
                .bind("error", error)
                .bind("run", runId)
                .execute();
            record(h, runId, sources, checks);
        });
    }

    /** The run's sources and checks, each table in one batch: one round trip, not one per row. */
    private static void record(Handle h, long runId, List<SourceReport> sources, List<CheckResult> checks) {
        if (!sources.isEmpty()) {
            PreparedBatch batch = h.prepareBatch("""
                insert into dwh.refresh_run_sources (run_id, source, url, bytes, rows, sha256, load_ms,
                                                     first_week, last_week, weeks)
                values (:run, :source, :url, :bytes, :rows, :sha256, :loadMs, :firstWeek, :lastWeek, :weeks)""");
            for (SourceReport source : sources) {
                batch.bind("run", runId).bindMethods(source).add();
            }
            batch.execute();
        }
        if (!checks.isEmpty()) {
            PreparedBatch batch = h.prepareBatch("""
                insert into dwh.refresh_checks (run_id, position, name, status, detail)
                values (:run, :position, :name, :status, :detail)""");
            int position = 0;
            for (CheckResult check : checks) {
                batch.bind("run", runId).bind("position", ++position).bindMethods(check).add();
            }
            batch.execute();
        }
    }
}
