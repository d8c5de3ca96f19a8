package dev.statedoses.refresh;

import dev.statedoses.BuildInfo;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.SchemaCheck;
import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.Warehouse;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One refresh: fetch the three sources, load them into the raw tables and rebuild
 * {@code dwh.state_doses}, all in one transaction. Readers see the old product until it commits;
 * if anything fails, it rolls back and the last good product stays exactly as it was.
 *
 * <p>This class orchestrates; each step is a named place: the lock (here), the run record
 * ({@link RefreshRuns}), fetch → parse → COPY ({@link RawLoad}, {@link RawTables}), the SQL
 * transform ({@link Transform}), the checks ({@link Checks}), then the commit, the NOTIFY and this
 * instance's snapshot (here). Shutdown stops the load; {@link RunRecovery} closes what a stopped
 * process left running.
 */
public final class RefreshService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshService.class);
    /**
     * The row of dwh.refresh_lock, locked for the refresh's transaction: one refresh at a time, and
     * the sign, while it is held, that the refresh is alive (sql/runs/take_refresh_lock.sql).
     */
    private static final String TAKE_LOCK = Sql.load("runs/take_refresh_lock.sql");
    /** Its row put back, when it is gone (sql/runs/restore_refresh_lock.sql). */
    private static final String RESTORE_LOCK = Sql.load("runs/restore_refresh_lock.sql");

    /** How long closing waits for a refresh under way, stopped, to roll back and record itself. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /**
     * How long a refresh waits for the local lock held by a rehearsal (some ten times as long as
     * one takes) or by a refresh whose end is being committed (milliseconds).
     */
    private static final Duration LET_GO_WAIT = Duration.ofSeconds(5);
    /** How often a stopping service cancels its refresh's statement again, until the refresh has ended. */
    private static final Duration CANCEL_AGAIN = Duration.ofMillis(200);
    /** The savepoint right after the refresh lock: a failure rolls back to it, records, commits. */
    private static final String LOCKED = "locked";

    private final Jdbi jdbi;
    private final RefreshRuns runs;
    private final RunRecovery recovery;
    private final RawLoad raw;
    private final Checks checks;
    private final Rehearsal rehearsal;
    private final ProductVacuum vacuum;
    private final SchemaCheck schema = SchemaCheck.ofMigrations();
    private final AllocationCsv allocations;
    private final CountyPopulationCsv counties;
    private final SourceFetcher fetcher;
    private final Clock clock;
    private final ReentrantLock localLock = new ReentrantLock();
    /** Set while {@link #rehearse} holds {@link #localLock}. */
    private volatile boolean rehearsing;
    /**
     * Set from just before a refresh commits its end (its product, or its failure's record) until
     * it lets go of {@link #localLock}: a client that saw that end in the run log and asks for the
     * next refresh at once waits for it, and is not turned away as busy.
     */
    private volatile boolean ending;
    private volatile Function<Handle, Committing> onCommitting = tx -> Committing.NOTHING;
    /**
     * The running refresh's warehouse connection, so that shutdown can cancel the statement it
     * waits in (a lock an analyst holds, a slow build); null between refreshes. Set and cleared
     * under its own monitor, so that a cancel never reaches a connection back in the pool.
     */
    private Connection inProgress;
    /** Watches what the running refresh waits for, while {@link #inProgress} is set. */
    private LockWaitWatch lockWatch;
    private final ScheduledExecutorService lockWatcher = LockWaitWatch.watcher();
    private volatile Duration lockWatchEvery = LockWaitWatch.EVERY;

    public RefreshService(Jdbi jdbi, SourceFetcher fetcher, AllocationCsv allocations,
                          CountyPopulationCsv counties, Map<SourceName, URI> urls, Clock clock) {
        this.jdbi = jdbi;
        this.runs = new RefreshRuns(jdbi);
        this.recovery = new RunRecovery(runs);
        this.raw = new RawLoad(fetcher, allocations, counties, urls);
        this.checks = new Checks(raw::url);
        this.rehearsal = new Rehearsal();
        this.vacuum = new ProductVacuum(jdbi);
        this.allocations = allocations;
        this.counties = counties;
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** One refresh, started by {@code trigger}, that may find every source unchanged (see below). */
    public RefreshReport refresh(Trigger trigger) {
        return refresh(trigger, false, runId -> { });
    }

    /**
     * One refresh, started by {@code trigger}: fetches the sources and rebuilds the product. Unless
     * {@code force}, each fetch is conditional on what the last good refresh of this build saw:
     * when every source is unchanged, the run is recorded as {@code unchanged}, and the product
     * (and its {@code refreshed_at}) stays as it is. {@code recorded} gets the run's id as soon as
     * the run is on record (status running), before the sources are fetched; it is not called when
     * the refresh is turned away first (busy, shutting down, the warehouse away).
     */
    public RefreshReport refresh(Trigger trigger, boolean force, LongConsumer recorded) {
        return refresh(trigger, force, recorded, null);
    }

    /**
     * The scheduled refresh of {@code due}: none, {@link FreshAlreadyException}, when a refresh has
     * succeeded since that instant, as found once the refresh lock is held. The scheduler looked
     * when it claimed the instant; a refresh that ended between the claim and the lock (another
     * instance's of the same instant, taken over at a start while it ran) made it run twice.
     */
    public RefreshReport refreshScheduled(Instant due) {
        return refresh(Trigger.SCHEDULE, false, runId -> { }, due);
    }

    private RefreshReport refresh(Trigger trigger, boolean force, LongConsumer recorded, Instant freshSince) {
        if (raw.stopping()) {
            throw RawLoad.stopped();
        }
        // The in-process lock spares a second caller a warehouse connection; the row lock below
        // is what guards the warehouse against other processes. A rehearsal holds it for a
        // moment after a start: a refresh waits for that one; a refresh under way turns it away.
        if (!localLock.tryLock() && !((rehearsing || ending) && waitForLock())) {
            throw new RefreshBusyException();
        }
        boolean ran = false;
        try (Handle tx = jdbi.open()) {
            tx.begin();
            // In progress from its first statement: taking the lock waits for an analyst's lock on
            // dwh.refresh_lock as long as it is held, and that wait, as any later one, must be
            // named in the log and ended by a shutdown (it went unsaid, and a SIGTERM left the
            // caller without an answer until Jetty gave up on it).
            inProgress(tx.getConnection());
            try {
                // The comparison with the migrations comes once the run is on record (refreshLocked): a
                // refresh under way holds its tables, and a second one must be turned away at once. A
                // lock or a run log changed by hand may be what keeps the lock or the run's record from
                // being taken: the refusal then says why, compared on a connection of its own.
                boolean locked;
                try {
                    locked = takeLock(tx);
                    if (locked) {
                        // A failed refresh rolls back to here and records its failure before it commits: the
                        // lock is held until the record is in, so no instance takes the run for abandoned.
                        tx.savepoint(LOCKED);
                    }
                } catch (RuntimeException e) {
                    throw unrecorded(e);
                }
                if (!locked) {
                    tx.rollback();
                    throw new RefreshBusyException();
                }
                if (freshSince != null && RefreshRuns.goodSince(tx, freshSince)) {
                    tx.rollback();
                    throw new FreshAlreadyException();
                }
                ran = true;
                return refreshLocked(tx, trigger, force, recorded);
            } finally {
                inProgress(null);
            }
        } finally {
            ending = false;
            localLock.unlock();
            // Once its transaction has ended: the rows it left dead can be reclaimed only then.
            if (ran) {
                vacuum.request();
            }
        }
    }

    /**
     * Takes the refresh lock for {@code tx}, or answers false when another refresh holds it. A lock
     * row that is gone (deleted by hand) is put back first, in a transaction of its own, and then
     * taken: otherwise nothing could ever take it, and every refresh was turned away as busy.
     */
    private boolean takeLock(Handle tx) {
        if (tx.createQuery(TAKE_LOCK).mapTo(Boolean.class).one()) {
            return true;
        }
        if (jdbi.withHandle(h -> h.execute(RESTORE_LOCK)) == 0) {
            return false; // the row is there, and another refresh holds it
        }
        LOG.warn("dwh.refresh_lock had lost its one row (deleted by hand?), without which no refresh could run: "
            + "put back");
        return tx.createQuery(TAKE_LOCK).mapTo(Boolean.class).one();
    }

    /**
     * What a refresh that failed before its run was on record throws: a shutdown's own failure
     * when the shutdown cancelled its statement (a wait for a lock), else {@link #unrecorded(List,
     * RuntimeException)} with the comparison made aside.
     */
    private RuntimeException unrecorded(RuntimeException e) {
        if (raw.stopping() && cancelled(e)) {
            return RawLoad.stopped();
        }
        return unrecorded(compareAside(), e);
    }

    /** The comparison on a connection of its own; empty when it cannot be made either. */
    private List<String> compareAside() {
        try {
            return jdbi.withHandle(schema::differences);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * What a refresh that failed before its run was on record throws: when the warehouse differs
     * from what the migrations made, the differences (the likely reason), else {@code e} itself.
     */
    private static RuntimeException unrecorded(List<String> changed, RuntimeException e) {
        if (changed.isEmpty()) {
            return e;
        }
        WarehouseChangedException refused = new WarehouseChangedException(changed, e);
        LOG.warn("refresh refused, and not recorded ({}): {}", e.getMessage(), refused.getMessage());
        return refused;
    }

    private RefreshReport refreshLocked(Handle tx, Trigger trigger, boolean force, LongConsumer recorded) {
        StepTimes steps = new StepTimes();
        RefreshRuns.LastGood previous;
        RunClock run;
        // The run's record commits at once, so on a connection of its own; in progress while it is
        // written, as its wait for an analyst's lock on the run log is one to name and to end.
        try (Handle record = jdbi.open()) {
            inProgress(record.getConnection());
            try {
                previous = force ? RefreshRuns.LastGood.NONE : runs.lastGood(record, BuildInfo.build());
                run = runs.start(record, trigger, BuildInfo.build());
            } finally {
                inProgress(tx.getConnection());
            }
        } catch (RuntimeException e) {
            throw unrecorded(e);
        }
        // The sources loaded so far: a failed run is recorded with them, for its lineage.
        List<SourceReport> sources = new ArrayList<>();
        long runId = run.runId();
        RefreshReport report = null;
        Committing product = Committing.NOTHING;
        boolean committing = false;
        // From here the run is on record: whatever fails, even the caller's callback, ends it below.
        try {
            recorded.accept(runId);
            // Once the run is on record, and cancellable as any of its statements (a catalog
            // function waits for a lock an analyst holds on one of the tables).
            List<String> changed = schema.differences(tx);
            if (!changed.isEmpty()) {
                throw new WarehouseChangedException(changed, null);
            }
            steps.mark("record start");
            MDC.put("run_id", Long.toString(runId));
            LOG.info("refresh started");
            report = build(tx, raw, run, previous, sources, steps);
            ending = true;
            if (report.status().equals(RefreshReport.SUCCEEDED)) {
                product = onCommitting.apply(tx);
                steps.mark("product read");
            }
            committing = true;
            tx.commit();
            steps.mark("commit");
        } catch (RuntimeException | Error thrown) {
            if (committing && committedAfterAll(tx, report, thrown)) {
                return committed(runId, report, product, steps);
            }
            product.notCommitted().run();
            ending = true;
            // No cancel from a stopping service reaches the failure's record from here.
            inProgress(null);
            // Errors too: a run must not stay 'running' because the JVM ran out of something.
            // A statement shutdown cancelled ended the refresh as a shutdown, whatever the
            // warehouse said; any other failure keeps its own reason, even while stopping.
            Throwable e = raw.stopping() && cancelled(thrown) ? RawLoad.stopped() : thrown;
            String error = RefreshFailure.recorded(e);
            LOG.warn("refresh failed, product unchanged: {}", error);
            List<CheckResult> failedChecks = e instanceof CheckFailedException checks ? checks.checks() : List.of();
            if (!recordedHoldingTheLock(tx, run, error, sources, failedChecks)) {
                rollbackQuietly(tx);
                recovery.failed(runId, run.now(), error, sources, failedChecks);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) e;
        } finally {
            MDC.remove("run_id");
        }
        return committed(runId, report, product, steps);
    }

    /**
     * Whether a commit that threw went through all the same: the connection was lost during it
     * (the server restarted, or ended the session, after writing the commit), so its outcome is
     * unknown to this connection. The run's row says: a commit writes the run's end with the product.
     * Looked at on a connection of its own, once the server has finished with the transaction;
     * false when it had not committed, or cannot be asked (the failure is then recorded as usual,
     * and that record ends only a run still running: a commit that did go through keeps its end).
     */
    private boolean committedAfterAll(Handle tx, RefreshReport report, Throwable thrown) {
        if (!Warehouse.unreachable(thrown)) {
            return false; // the server answered: it refused the commit, and rolled back
        }
        rollbackQuietly(tx);
        try {
            String status = runs.statusSettled(report.runId(), LET_GO_WAIT);
            if (report.status().equals(status)) {
                LOG.warn("refresh {}: the connection was lost during its commit ({}), which went through: the run "
                    + "log holds it as {}", report.runId(), thrown.getMessage(), status);
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            LOG.warn("refresh {}: the connection was lost during its commit ({}), and whether it went through could "
                + "not be asked ({}): recorded as failed unless the run log holds its end", report.runId(),
                thrown.getMessage(), e.getMessage());
            return false;
        }
    }

    /** The end of a refresh that committed: its log lines, and what this process does after a product. */
    private RefreshReport committed(long runId, RefreshReport report, Committing product, StepTimes steps) {
        // Committed: from here on nothing may turn the run into a failure.
        if (report.status().equals(RefreshReport.UNCHANGED)) {
            LOG.info("refresh {} found every source unchanged in {} ms: the product stays", runId, report.durationMs());
        } else {
            LOG.info("refresh {} succeeded in {} ms: {} state rows, {} doses, {} excluded", runId,
                report.durationMs(), report.stateRows(), report.dosesInSources(), report.dosesExcluded());
            // The service's hook reloads this instance's snapshot on its own thread (ProductCache),
            // and says so itself if that fails: the answer does not wait for it.
            try {
                product.committed().accept(runId);
            } catch (RuntimeException e) {
                LOG.warn("refresh {} committed, but what this process does after a refresh failed ({})", runId,
                    e.getMessage());
            }
        }
        LOG.info("refresh {} steps: {}", runId, steps);
        return report;
    }

    /** The refresh's steps from the load on, loading by {@code load} (a rehearsal's: other URLs). */
    private RefreshReport build(Handle tx, RawLoad load, RunClock run, RefreshRuns.LastGood previous,
                                List<SourceReport> sources, StepTimes steps) {
        long runId = run.runId();
        Instant started = run.started();
        tx.createQuery("select set_config('state_doses.run_id', :run, true)")
            .bind("run", Long.toString(runId)).mapTo(String.class).one();
        tx.savepoint("sources");
        load.loadAll(tx, runId, previous.sources(), sources, steps);
        if (!previous.sources().isEmpty() && sources.stream().allMatch(SourceReport::unchanged)) {
            // Every raw table holds what the last good refresh left (RawLoad compared each): keep
            // the product too, if it is still what that refresh left. A product edited by hand
            // since is rebuilt from those raw tables, as if a source had changed.
            String product = RefreshRuns.productDigest(tx);
            if (previous.productDigest() == null || previous.productDigest().equals(product)) {
                // Nothing to build: undo any load (a source whose bytes hashed the same) and keep the product.
                tx.rollbackToSavepoint("sources");
                Totals kept = Totals.ofProduct(tx);
                Instant finished = run.now();
                runs.unchanged(tx, runId, finished, sources, product);
                steps.mark("record result");
                return report(runId, RefreshReport.UNCHANGED, started, finished, sources, kept);
            }
            LOG.warn("every source is unchanged, but the product is no longer what refresh {} left (changed by hand?): "
                + "rebuilding it from the raw tables", previous.runId());
        }

        stopIfStopping();
        Transform.stage(tx);
        steps.mark("stage");
        checks.sources(tx);
        steps.mark("source checks");
        stopIfStopping();
        Transform.build(tx);
        checks.build(tx);
        steps.mark("build");
        Transform.countDoses(tx);
        Totals totals = Totals.ofRun(tx, runId);
        steps.mark("totals");
        stopIfStopping();

        // The product is built: check it (and the sources) before it may commit.
        List<CheckResult> ran = checks.product(tx);
        for (CheckResult check : ran) {
            if (!CheckResult.PASS.equals(check.status())) {
                LOG.warn("check {} {}: {}", check.name(), check.status(), check.detail());
            }
        }
        if (ran.stream().anyMatch(CheckResult::failed)) {
            throw new CheckFailedException(ran);
        }
        steps.mark("data checks");

        Instant finished = run.now();
        runs.succeeded(tx, runId, finished, totals.stateRows(), sources, ran);
        // Delivered at commit, and only if it commits: other instances reload their snapshot.
        tx.createQuery("select pg_notify('" + Warehouse.PRODUCT_CHANNEL + "', :run)")
            .bind("run", Long.toString(runId)).mapTo(String.class).one();
        steps.mark("record result");
        return report(runId, RefreshReport.SUCCEEDED, started, finished, sources, totals.withChecks(ran));
    }

    private static RefreshReport report(long runId, String status, Instant started, Instant finished,
                                        List<SourceReport> sources, Totals totals) {
        return new RefreshReport(runId, status, started, finished, Duration.between(started, finished).toMillis(),
            List.copyOf(sources), totals.stateRows(), totals.inSources(), totals.inStateRows(), totals.excluded(),
            totals.exclusions(), totals.checks());
    }

    /**
     * Undoes the refresh's work back to {@link #LOCKED}, records the failure in the same
     * transaction and commits: the lock goes with the record. False when the transaction cannot
     * (the warehouse went away): the caller rolls back and records it from another connection.
     */
    private boolean recordedHoldingTheLock(Handle tx, RunClock run, String error, List<SourceReport> sources,
                                           List<CheckResult> checks) {
        try {
            tx.rollbackToSavepoint(LOCKED);
            runs.failed(tx, run.runId(), run.now(), error, sources, checks);
            tx.commit();
            return true;
        } catch (RuntimeException e) {
            LOG.debug("recording the failure in the refresh's transaction failed: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Whether {@code thrown} is a statement {@link #shutdown} cancelled (SQLSTATE 57014). A stop
     * between steps already throws the shutdown's own exception.
     */
    private static boolean cancelled(Throwable thrown) {
        if (thrown instanceof SourceAbandonedException) {
            return false; // already says so
        }
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "57014".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets up now what the first refresh would otherwise set up on its own time: the sources'
     * HTTP client, with one fetch from a loopback server of its own (SourceFetcher#prepare), and
     * JDBI's parsing of the long statements it runs through JDBI (Sql#prepare: the run record's,
     * the lock's and those of the checks that run alone; the few one-line ones are quick to parse
     * once the lexer is).
     * Needs neither the warehouse nor the sources; called in the background once it serves.
     */
    public void prepare() {
        raw.prepare();
        List<String> statements = new ArrayList<>(Checks.statements());
        statements.addAll(RefreshRuns.statements());
        statements.add(TAKE_LOCK);
        Sql.prepare(jdbi, statements);
    }

    /**
     * A whole refresh, rehearsed on the last good load and rolled back ({@link Rehearsal}), so that
     * the first refresh after a start does not run cold; not while a refresh runs here, and a
     * refresh asked for meanwhile waits for it. Called in the background once it serves, after
     * {@link #prepare} and the warm-up's rounds (dev.statedoses.WarmUp).
     */
    public Rehearsal.Outcome rehearse() {
        long started = System.nanoTime();
        if (raw.stopping() || !localLock.tryLock()) {
            return Rehearsal.Outcome.skipped("a refresh runs", started);
        }
        rehearsing = true;
        // Its lines (the loads') say so: " run=rehearsal".
        MDC.put("run_id", "rehearsal");
        try (Handle tx = jdbi.open()) {
            tx.begin();
            inProgress(tx.getConnection());
            try {
                return rehearsal.run(tx, (urls, runId) -> build(tx,
                    new RawLoad(fetcher, allocations, counties, urls),
                    new RunClock(runId, clock.instant(), System.nanoTime()), RefreshRuns.LastGood.NONE,
                    new ArrayList<>(), new StepTimes()));
            } finally {
                inProgress(null);
                tx.rollback();
            }
        } finally {
            MDC.remove("run_id");
            rehearsing = false;
            localLock.unlock();
        }
    }

    /**
     * Waits for a rehearsal, or a refresh that is ending, to let go of the local lock: true once
     * this thread holds it.
     */
    private boolean waitForLock() {
        try {
            return localLock.tryLock(LET_GO_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The loads' Java work on generated sources, for the JIT warm-up ({@code WarmUp}): each body
     * fetched as a refresh fetches its sources, by this refresh's fetcher, from a loopback server
     * of its own (SourceFetcher#readServed). Made when asked: its bodies are no work for start-up.
     */
    public LoadWarmUp loadWarmUp() {
        return new LoadWarmUp(allocations, counties, fetcher::readServed);
    }

    /** Whether a refresh runs in this process now. */
    public boolean running() {
        return localLock.isLocked();
    }

    /** Between steps: a refresh the service is stopping under goes no further. */
    private void stopIfStopping() {
        if (raw.stopping()) {
            throw RawLoad.stopped();
        }
    }

    private synchronized void inProgress(Connection connection) {
        inProgress = connection;
        if (lockWatch != null) {
            lockWatch.close();
            lockWatch = null;
        }
        if (connection != null) {
            lockWatch = LockWaitWatch.start(lockWatcher, jdbi, connection, lockWatchEvery);
        }
    }

    /** Shorter than {@link LockWaitWatch#EVERY} for a test that waits behind a lock. */
    void lockWatchEvery(Duration every) {
        this.lockWatchEvery = every;
    }

    /** Cancels the statement the running refresh is in, if one runs (its refresh then fails as a shutdown). */
    private synchronized void cancelInProgress() {
        if (inProgress == null) {
            return;
        }
        try {
            inProgress.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException e) {
            LOG.warn("cancelling the running refresh's statement failed ({}); it ends at its next step", e.getMessage());
        }
    }

    /**
     * What this process does about a product its own refresh is about to commit (other processes
     * hear NOTIFY): {@code committing} is asked just before the commit, given the transaction that
     * holds the product (to read it there), and told how it ended.
     */
    public void onCommitting(Function<Handle, Committing> committing) {
        this.onCommitting = committing;
    }

    /**
     * Told how the commit of a refresh's product ended: {@code committed} gets the run's id after
     * it, {@code notCommitted} runs when the commit (or anything before it) failed.
     */
    public record Committing(LongConsumer committed, Runnable notCommitted) {
        static final Committing NOTHING = new Committing(runId -> { }, () -> { });
    }

    /**
     * Stops a refresh under way, whether it is reading a source or waiting in the warehouse (its
     * statement is cancelled; it rolls back and is recorded as failed, a shutdown), and refuses
     * new ones: called on shutdown, so a stopping service leaves no half-done work.
     */
    public void shutdown() {
        raw.stop();
        cancelInProgress();
        // A cancel ends the statement running at that moment only. A refresh between two
        // statements then, or in one that ends a wait of its own on it, went on to its next
        // statement, and one waiting behind an analyst's lock waited until the lock ended: the
        // caller had no answer, and the run stayed 'running'. So its statements are cancelled
        // again until the refresh has ended (not its failure's record: see refreshLocked).
        if (running()) {
            DaemonThreads.named("refresh-stop").newThread(this::cancelUntilEnded).start();
        }
    }

    private void cancelUntilEnded() {
        try {
            while (running()) {
                Thread.sleep(CANCEL_AGAIN.toMillis());
                cancelInProgress();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes, as abandoned, the runs a stopped process left running: in the background, now or
     * as soon as the refresh lock is free, retrying while the warehouse is away (RunRecovery).
     */
    public void closeAbandonedRuns() {
        recovery.closeAbandoned();
    }

    /**
     * While the service serves: closes, every {@code every}, the runs a stopped process left
     * running (RunRecovery), so that another instance's crash does not show as a run in progress.
     */
    public void sweepAbandonedRuns(Duration every) {
        recovery.sweepEvery(every);
    }

    /** The run log this service writes (GET /refreshes reads the same). */
    public RefreshRuns runs() {
        return runs;
    }

    /**
     * Stops refreshing ({@link #shutdown()}, if it was not called yet), lets a refresh under way
     * end and record how (for up to {@link #CLOSE_WAIT}), then stops the run log's background
     * work: a failure not recorded by now is closed at the next start.
     */
    @Override
    public void close() {
        shutdown();
        try {
            if (localLock.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                localLock.unlock();
            } else {
                LOG.warn("a refresh was still running after {} s; the warehouse closes under it", CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recovery.close();
        vacuum.close();
        lockWatcher.shutdownNow();
    }

    private static void rollbackQuietly(Handle tx) {
        try {
            if (tx.isInTransaction()) {
                tx.rollback();
            }
        } catch (RuntimeException e) {
            LOG.warn("rollback failed (the connection is gone; the server discards the transaction): {}",
                e.getMessage());
        }
    }
}
