package dev.statedoses.refresh;

import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of refresh attempts, {@code dwh.refresh_runs}: every attempt, its outcome, its sources
 * ({@code dwh.refresh_run_sources}) and its data checks ({@code dwh.refresh_checks}).
 *
 * <p>It never leaves a run saying "running" when no process runs it. A run's end is recorded when
 * it ends; when that fails (the warehouse is away), it is tried again in the background until the
 * warehouse answers. And a run whose process stopped before recording its end (killed, or gone
 * with the warehouse) is closed as abandoned by whoever next holds the refresh lock: a refresh
 * holds it for its whole life, so a run still "running" while someone else holds it is dead.
 */
final class RefreshRuns implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshRuns.class);

    /** The reason given to a run whose process stopped before it ended. */
    static final String ABANDONED = "abandoned: the process that ran it stopped before it finished";
    /** The run log keeps an error's first part: enough to say what and where, never a whole source line. */
    static final int MAX_ERROR = 2000;
    private static final Duration RETRY_EVERY = Duration.ofSeconds(3);

    private final Jdbi jdbi;
    /** Runs whose failure is still to be recorded (the warehouse was away). */
    private final Set<Long> unrecorded = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "run-log-retry");
        thread.setDaemon(true);
        return thread;
    });

    RefreshRuns(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records an attempt as running, committed at once so it stays on record whatever follows, and
     * closes every other run still marked running as abandoned. The caller holds the refresh lock,
     * so none of those runs can be alive.
     */
    long start(Instant at, Trigger trigger, String build) {
        Map<String, Object> started = jdbi.withHandle(h -> h.createQuery("""
                with abandoned as (
                    update dwh.refresh_runs set status = 'failed', finished_at = now(), error = :abandoned
                    where status = 'running'
                    returning run_id
                )
                insert into dwh.refresh_runs (status, started_at, trigger, build)
                -- Committed without waiting for the disk: if the server crashed before it got there,
                -- no run would claim to be running, which is true. (The run's end waits, as it must.)
                select 'running', :at, :trigger, :build
                from (select set_config('synchronous_commit', 'off', true)) as quick
                returning run_id, (select count(*) from abandoned) as abandoned""")
            .bind("at", at)
            .bind("trigger", trigger.label())
            .bind("build", build)
            .bind("abandoned", ABANDONED)
            .mapToMap()
            .one());
        long abandoned = ((Number) started.get("abandoned")).longValue();
        if (abandoned > 0) {
            LOG.warn("closed {} run(s) left running by a process that stopped, as failed ({})", abandoned, ABANDONED);
        }
        return ((Number) started.get("run_id")).longValue();
    }

    /**
     * The sources of the last good refresh (succeeded, or found everything unchanged) of this
     * {@code build}, by source: what a conditional fetch compares with. Empty when there is none,
     * or it was another build's (which may build another product from the same sources).
     */
    Map<SourceName, SourceReport> lastGood(String build) {
        return jdbi.withHandle(h -> {
            Optional<Map<String, Object>> run = h.createQuery("""
                    select run_id, build from dwh.refresh_runs
                    where status in ('succeeded', 'unchanged')
                    order by run_id desc limit 1""")
                .mapToMap().findOne();
            if (run.isEmpty() || !build.equals(run.get().get("build"))) {
                return Map.<SourceName, SourceReport>of();
            }
            Map<SourceName, SourceReport> sources = new EnumMap<>(SourceName.class);
            RefreshRunRepository.sources(h, ((Number) run.get().get("run_id")).longValue())
                .forEach(source -> sources.put(SourceName.valueOf(source.source().toUpperCase(Locale.ROOT)), source));
            return sources;
        });
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
     * Marks the run unchanged (it built nothing; the product stays), inside its own transaction,
     * whose commit need not wait for the disk: a crash could lose only this record of nothing done.
     */
    void unchanged(Handle tx, long runId, Instant at, List<SourceReport> sources) {
        tx.execute("set local synchronous_commit = off");
        tx.createUpdate("update dwh.refresh_runs set status = 'unchanged', finished_at = :at where run_id = :run")
            .bind("at", at)
            .bind("run", runId)
            .execute();
        record(tx, runId, sources, List.of());
    }

    /**
     * Marks the run failed with {@code error}, after its transaction was rolled back, with the
     * sources it had loaded by then and the checks it ran (none unless a check failed it), in one
     * transaction. When the warehouse cannot take it now, it is tried again in the background.
     */
    void failed(long runId, Instant at, String error, List<SourceReport> sources, List<CheckResult> checks) {
        String reason = storable(error);
        try {
            recordFailure(runId, at, reason, sources, checks);
        } catch (RuntimeException e) {
            LOG.warn("could not record run {} as failed ({}); trying again every {} s until the warehouse answers",
                runId, e.getMessage(), RETRY_EVERY.toSeconds());
            unrecorded.add(runId);
            retryFailure(runId, at, reason, sources, checks);
        }
    }

    private void retryFailure(long runId, Instant at, String reason, List<SourceReport> sources,
                              List<CheckResult> checks) {
        retries.schedule(() -> {
            try {
                recordFailure(runId, at, reason, sources, checks);
                unrecorded.remove(runId);
                LOG.info("recorded run {} as failed, now that the warehouse answers", runId);
            } catch (RuntimeException e) {
                LOG.debug("run {} still not recorded: {}", runId, e.getMessage());
                retryFailure(runId, at, reason, sources, checks);
            }
        }, RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recordFailure(long runId, Instant at, String reason, List<SourceReport> sources,
                               List<CheckResult> checks) {
        jdbi.useTransaction(h -> {
            // Also over an 'abandoned' mark another instance set meanwhile: this is the real reason.
            h.createUpdate("""
                    update dwh.refresh_runs set status = 'failed', finished_at = :at, error = :error
                    where run_id = :run""")
                .bind("at", at)
                .bind("error", reason)
                .bind("run", runId)
                .execute();
            record(h, runId, sources, checks);
        });
    }

    /**
     * Closes runs left running by a process that stopped, as abandoned: at once if no refresh
     * holds the lock (then none of them is alive), otherwise when it no longer does (a refresh is
     * running, or the server is still finishing a stopped process's statement). Tried again in
     * the background, also while the warehouse is away, until no run is left running.
     */
    void closeAbandoned(long lockKey) {
        retries.execute(() -> closeAbandoned(lockKey, true));
    }

    private void closeAbandoned(long lockKey, boolean first) {
        try {
            // Looks at the lock without taking it, so a refresh starting now is never refused
            // for it. One statement: a run row it can see was inserted under the lock, so if the
            // lock is free now, that run's refresh has ended (a success updated the row at its
            // commit, which this update then sees; a failure is recorded over the mark).
            long[] result = jdbi.withHandle(h -> {
                int closed = h.createUpdate("""
                        update dwh.refresh_runs set status = 'failed', finished_at = now(), error = :abandoned
                        where status = 'running'
                          and not exists (select 1 from pg_locks
                                          where locktype = 'advisory' and granted
                                            and database = (select oid from pg_database
                                                            where datname = current_database())
                                            and classid = :high::bigint::oid and objid = :low::bigint::oid
                                            and objsubid = 1)""")
                    .bind("abandoned", ABANDONED)
                    .bind("high", lockKey >>> 32)
                    .bind("low", lockKey & 0xffff_ffffL)
                    .execute();
                boolean anyRunning = h.createQuery("select exists (select 1 from dwh.refresh_runs where status = 'running')")
                    .mapTo(Boolean.class).one();
                return new long[] {closed, anyRunning ? 1 : 0};
            });
            if (result[0] > 0) {
                LOG.warn("closed {} run(s) left running by a process that stopped, as failed ({})", result[0], ABANDONED);
            }
            if (result[1] > 0) {
                // A refresh holds the lock: when it is over, look again.
                retries.schedule(() -> closeAbandoned(lockKey, false), 1, TimeUnit.SECONDS);
            }
        } catch (RuntimeException e) {
            if (first) {
                LOG.warn("could not look for runs left running by a stopped process ({}); trying again every {} s",
                    e.getMessage(), RETRY_EVERY.toSeconds());
            }
            retries.schedule(() -> closeAbandoned(lockKey, false), RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** An error as the run log can keep it: no control characters (PostgreSQL refuses NUL), bounded. */
    static String storable(String error) {
        String text = error == null || error.isBlank() ? "failed without a message" : error;
        return Printable.shorten(text, MAX_ERROR);
    }

    /** The run's sources and checks, each table in one batch: one round trip, not one per row. */
    private static void record(Handle h, long runId, List<SourceReport> sources, List<CheckResult> checks) {
        if (!sources.isEmpty()) {
            PreparedBatch batch = h.prepareBatch("""
                insert into dwh.refresh_run_sources (run_id, source, url, bytes, rows, sha256, load_ms, attempts,
                                                     unchanged, etag, last_modified, first_week, last_week, weeks)
                values (:run, :source, :url, :bytes, :rows, :sha256, :loadMs, :attempts, :unchanged, :etag,
                        :lastModified, :firstWeek, :lastWeek, :weeks)""");
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

    /** Stops trying again: a run not recorded by now is closed as abandoned by the next start. */
    @Override
    public void close() {
        retries.shutdownNow();
        if (!unrecorded.isEmpty()) {
            LOG.warn("stopping before the failure of run(s) {} could be recorded: the next start closes them as "
                + "abandoned", unrecorded);
        }
    }
}
