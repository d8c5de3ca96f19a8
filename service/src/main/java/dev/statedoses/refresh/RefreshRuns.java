package dev.statedoses.refresh;

import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of refresh attempts, and the one owner of its tables: {@code dwh.refresh_runs} (every
 * attempt and its outcome), {@code dwh.refresh_run_sources} (its sources) and
 * {@code dwh.refresh_checks} (its data checks). It records each run as it starts and ends, and
 * reads them back for {@code GET /refreshes}, for the next refresh (what its conditional fetches
 * compare with) and for the schedule. Keeping no run "running" when no process runs it, through
 * outages and crashes, is {@link RunRecovery}'s job.
 */
public final class RefreshRuns {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshRuns.class);

    /** The reason given to a run whose process stopped before it ended. */
    static final String ABANDONED = "abandoned: the process that ran it stopped before it finished";
    /** The run log keeps an error's first part: enough to say what and where, never a whole source line. */
    static final int MAX_ERROR = 2000;

    private static final String START = Sql.load("runs/start_run.sql");
    private static final String CLOSE_ABANDONED = Sql.load("runs/close_abandoned_runs.sql");
    private static final String RUNS = """
        select run_id, status, trigger, started_at, finished_at, state_rows, error
        from dwh.refresh_runs""";
    private static final String SOURCES = Sql.load("runs/run_sources.sql");
    private static final String RECORD_SOURCE = Sql.load("runs/record_source.sql");
    private static final String RECORD_CHECK = Sql.load("runs/record_check.sql");
    /** The product as it is now, as the digest a good run keeps (sql/kept/product_digest.sql). */
    private static final String PRODUCT_DIGEST = Sql.load("kept/product_digest.sql");
    /**
     * The end of a run that built nothing (failed, unchanged): only over a run still running, or
     * closed as abandoned by another instance meanwhile (this is the real reason). Never over a
     * run that ended otherwise: a refresh whose connection was lost during its commit may have
     * committed its success (the row then says so, and the failure's record finds nothing to end),
     * and until the server has finished that commit the row's lock holds this update, which then
     * reads the row as the commit left it.
     */
    private static final String END = """
        update dwh.refresh_runs set status = :status, finished_at = :at, state_rows = :rows, error = :error,
            product_digest = :productDigest
        where run_id = :run and (status = 'running' or status = 'failed' and error = :abandoned)""";
    /**
     * {@link #END} for a run that built the product: it also keeps the product's refreshed_at,
     * read from the rows it wrote (V19), which instances read to tell whether a Last-Modified
     * names one product (product/LastModified). Only such a run reads the product: a failure is
     * recorded even while an analyst's lock holds the product table. It keeps the product's digest
     * as well (V22), which the next refresh that finds every source unchanged compares with.
     */
    private static final String END_BUILT = """
        update dwh.refresh_runs set status = :status, finished_at = :at, state_rows = :rows, error = :error,
            refreshed_at = (select max(s.refreshed_at) from dwh.state_doses s where s.run_id = :run),
            product_digest = (
        """ + PRODUCT_DIGEST + """
            )
        where run_id = :run""";

    private final Jdbi jdbi;

    /** The statements a refresh records itself with. */
    static List<String> statements() {
        return List.of(START, RECORD_SOURCE, RECORD_CHECK, END, END_BUILT);
    }

    public RefreshRuns(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records an attempt as running on {@code h}, a connection in auto-commit apart from the
     * refresh's transaction, so that it is committed at once and stays on record whatever follows, and
     * closes every other run still marked running as abandoned (sql/runs/start_run.sql). The caller
     * holds the refresh lock, so none of those runs can be alive. The run's times are on the
     * warehouse's clock from its start on ({@link RunClock}).
     */
    RunClock start(Handle h, Trigger trigger, String build) {
        Started started = h.createQuery(START)
            .bind("trigger", trigger.label())
            .bind("build", build)
            .bind("abandoned", ABANDONED)
            .map((rs, ctx) -> new Started(new RunClock(rs.getLong("run_id"),
                rs.getObject("started_at", OffsetDateTime.class).toInstant(), System.nanoTime()), rs.getLong("abandoned")))
            .one();
        logClosed(started.abandoned());
        return started.run();
    }

    /** What sql/runs/start_run.sql answers: the run, on its clock, and how many runs it closed as abandoned. */
    private record Started(RunClock run, long abandoned) {
    }

    /**
     * What the last good refresh (succeeded, or found everything unchanged) left: its sources, by
     * source, which a conditional fetch compares with, and the digest of the product it left (null
     * for a run from before V22). {@link LastGood#NONE} when there is none, or it was another
     * build's (which may build another product from the same sources).
     */
    LastGood lastGood(Handle h, String build) {
        Optional<Map<String, Object>> run = h.createQuery("select run_id, build, product_digest "
            + "from dwh.refresh_runs where status in ('succeeded', 'unchanged') order by run_id desc limit 1")
            .mapToMap().findOne();
        if (run.isEmpty() || !build.equals(run.get().get("build"))) {
            return LastGood.NONE;
        }
        long runId = ((Number) run.get().get("run_id")).longValue();
        Map<SourceName, SourceReport> sources = new EnumMap<>(SourceName.class);
        sources(h, runId, runId).getOrDefault(runId, List.of())
            .forEach(source -> sources.put(SourceName.of(source.source()), source));
        return new LastGood(runId, Map.copyOf(sources), (String) run.get().get("product_digest"));
    }

    /** What {@link #lastGood} found: the run, its sources by source, and its product's digest (or null). */
    record LastGood(long runId, Map<SourceName, SourceReport> sources, String productDigest) {
        static final LastGood NONE = new LastGood(0, Map.of(), null);
    }

    /** The product's digest as it is now in {@code tx}: what a good run keeps (sql/kept/product_digest.sql). */
    static String productDigest(Handle tx) {
        return tx.createQuery(PRODUCT_DIGEST).mapTo(String.class).one();
    }

    /**
     * Whether a refresh has ended well (succeeded, or found everything unchanged) since {@code since}.
     * A run that ended after the warehouse's present was written by a clock ahead of it (an instance's
     * own, before runs were timed on the warehouse's): it is no refresh since anything.
     */
    static boolean goodSince(Handle h, Instant since) {
        return h.createQuery("select exists (select 1 from dwh.refresh_runs "
                + "where status in ('succeeded', 'unchanged') and finished_at >= :due "
                + "and finished_at <= clock_timestamp())")
            .bind("due", since).mapTo(Boolean.class).one();
    }

    /** Marks the run succeeded, inside the refresh's own transaction: it commits with the product. */
    void succeeded(Handle tx, long runId, Instant at, int stateRows, List<SourceReport> sources,
                   List<CheckResult> checks) {
        end(tx, runId, RefreshReport.SUCCEEDED, at, stateRows, null, null, sources, checks);
    }

    /**
     * Marks the run unchanged (it built nothing; the product stays), inside its own transaction,
     * whose commit need not wait for the disk: a crash could lose only this record of nothing done.
     */
    void unchanged(Handle tx, long runId, Instant at, List<SourceReport> sources, String productDigest) {
        tx.execute("set local synchronous_commit = off");
        end(tx, runId, RefreshReport.UNCHANGED, at, null, null, productDigest, sources, List.of());
    }

    /**
     * Marks the run failed with {@code error} (as {@link #storable}), after its transaction was
     * rolled back, with the sources it had loaded by then and the checks it ran (none unless a
     * check failed it), in one transaction. Throws when the warehouse cannot take it; answers false,
     * recording nothing, when the run had already ended otherwise (a commit whose answer was lost).
     */
    boolean failed(long runId, Instant at, String error, List<SourceReport> sources, List<CheckResult> checks) {
        // Also over an 'abandoned' mark another instance set meanwhile: this is the real reason.
        return jdbi.inTransaction(h -> end(h, runId, "failed", at, null, storable(error), null, sources, checks));
    }

    /**
     * {@link #failed} without the run's sources and checks: for a run log whose tables for them a
     * hand change broke, so that the run is at least on record as ended, and why.
     */
    boolean failedWithoutDetails(long runId, Instant at, String error) {
        return jdbi.withHandle(h -> end(h, runId, "failed", at, null, storable(error), null, List.of(), List.of()));
    }

    /**
     * The run's status once no transaction holds its row (a commit the server is still finishing
     * is waited for, up to {@code wait}), read on a connection of its own; null if the run is not
     * on record. Throws when the warehouse cannot answer, or the wait runs out.
     */
    String statusSettled(long runId, Duration wait) {
        return jdbi.inTransaction(h -> {
            h.execute("select set_config('lock_timeout', '" + wait.toMillis() + "ms', true)");
            return h.createQuery("select status from dwh.refresh_runs where run_id = :run for share")
                .bind("run", runId).mapTo(String.class).findOne().orElse(null);
        });
    }

    /** {@link #failed}, in the refresh's own transaction {@code tx}, which the caller commits. */
    void failed(Handle tx, long runId, Instant at, String error, List<SourceReport> sources,
                List<CheckResult> checks) {
        end(tx, runId, "failed", at, null, storable(error), null, sources, checks);
    }

    /**
     * Closes runs left running by a process that stopped, as abandoned, if no refresh holds the
     * refresh lock (sql/runs/close_abandoned_runs.sql). Answers whether any run is still running:
     * then a refresh holds the lock, and its runs may be looked at again when it is over.
     */
    boolean closeAbandoned() {
        return jdbi.withHandle(h -> {
            logClosed(h.createUpdate(CLOSE_ABANDONED)
                .bind("abandoned", ABANDONED)
                .execute());
            return h.createQuery("select exists (select 1 from dwh.refresh_runs where status = 'running')")
                .mapTo(Boolean.class).one();
        });
    }

    private static void logClosed(long abandoned) {
        if (abandoned > 0) {
            LOG.warn("closed {} run(s) left running by a process that stopped, as failed ({})", abandoned, ABANDONED);
        }
    }

    /**
     * An error as the run log can keep it: no control characters (PostgreSQL refuses NUL), bounded,
     * and any URL in it redacted (ours are already; a library's words might quote one whole).
     */
    static String storable(String error) {
        String text = error == null || error.isBlank() ? "failed without a message" : error;
        return Printable.shorten(Redaction.inText(text), MAX_ERROR);
    }

    /**
     * Records the run's end: its outcome, when, its state rows (if it succeeded) or its error (if
     * it failed), and its sources and checks, each table in one batch: one round trip, not one per row.
     * A run that succeeded also keeps the refreshed_at of the product it built ({@link #END_BUILT}).
     * Any other end answers false and records nothing when the run had already ended ({@link #END}).
     */
    private static boolean end(Handle h, long runId, String status, Instant at, Integer stateRows, String error,
                               String productDigest, List<SourceReport> sources, List<CheckResult> checks) {
        boolean built = RefreshReport.SUCCEEDED.equals(status);
        Update end = h.createUpdate(built ? END_BUILT : END)
            .bind("status", status)
            .bind("at", at)
            .bind("rows", stateRows)
            .bind("error", error)
            .bind("run", runId);
        if (!built) {
            end.bind("productDigest", productDigest).bind("abandoned", ABANDONED);
        }
        if (end.execute() == 0) {
            return false;
        }
        if (!sources.isEmpty()) {
            PreparedBatch batch = h.prepareBatch(RECORD_SOURCE);
            for (SourceReport source : sources) {
                batch.bind("run", runId).bindMethods(source).add();
            }
            batch.execute();
        }
        if (!checks.isEmpty()) {
            PreparedBatch batch = h.prepareBatch(RECORD_CHECK);
            int position = 0;
            for (CheckResult check : checks) {
                batch.bind("run", runId).bind("position", ++position).bindMethods(check).add();
            }
            batch.execute();
        }
        return true;
    }

    /**
     * The newest {@code limit} attempts, newest first, each with its sources. (Read in one
     * snapshot, so a refresh committing meanwhile cannot show as succeeded without its sources.)
     */
    public List<RefreshRun> recent(int limit) {
        return BoundedReads.readOneSnapshot(jdbi, h -> {
            List<RefreshRun> runs = h.createQuery(RUNS + " order by run_id desc limit :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> run(rs))
                .list();
            if (runs.isEmpty()) {
                return List.of();
            }
            Map<Long, List<SourceReport>> sources = sources(h, runs.get(runs.size() - 1).runId(), runs.get(0).runId());
            return runs.stream()
                .map(r -> r.with(sources.getOrDefault(r.runId(), List.of()), null))
                .toList();
        });
    }

    /** One attempt with its sources and its checks. */
    public Optional<RefreshRun> find(long runId) {
        return BoundedReads.readOneSnapshot(jdbi, h -> h.createQuery(RUNS + " where run_id = :run")
            .bind("run", runId)
            .map((rs, ctx) -> run(rs))
            .findOne()
            .map(r -> r.with(sources(h, runId, runId).getOrDefault(runId, List.of()), checks(h, runId))));
    }

    /** The sources of the runs {@code fromRun} to {@code toRun}, by run: moderna, pfizer, population. */
    private static Map<Long, List<SourceReport>> sources(Handle h, long fromRun, long toRun) {
        return h.createQuery(SOURCES)
            .bind("from", fromRun)
            .bind("to", toRun)
            .map((rs, ctx) -> Map.entry(rs.getLong("run_id"), SourceReport.read(rs)))
            .list().stream()
            .collect(Collectors.groupingBy(Map.Entry::getKey,
                Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    /** The data checks a run recorded, in the order they ran. */
    static List<CheckResult> checks(Handle h, long runId) {
        return h.createQuery("""
                select name, status, detail from dwh.refresh_checks
                where run_id = :run order by position""")
            .bind("run", runId)
            .map((rs, ctx) -> CheckResult.read(rs))
            .list();
    }

    /** A row of dwh.refresh_runs, before its sources and checks are read. */
    private static RefreshRun run(ResultSet rs) throws SQLException {
        Instant started = rs.getObject("started_at", OffsetDateTime.class).toInstant();
        OffsetDateTime finishedAt = rs.getObject("finished_at", OffsetDateTime.class);
        Instant finished = finishedAt == null ? null : finishedAt.toInstant();
        // At least 0: a run written before its times were the warehouse's may end before it began.
        return new RefreshRun(rs.getLong("run_id"), rs.getString("status"), rs.getString("trigger"), started,
            finished, finished == null ? null : Math.max(0, Duration.between(started, finished).toMillis()),
            // Hidden again as it is read, as a source's URL is: a build from before the secrets were
            // hidden (V17), still running beside this one, writes its errors with them.
            rs.getObject("state_rows", Integer.class), storedError(rs.getString("error")), List.of(), null);
    }

    private static String storedError(String error) {
        return error == null ? null : Redaction.inText(error);
    }
}
