package dev.statedoses.refresh;

import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run log's promise: no run says "running" when no process runs it. A run's end is
 * recorded when it ends; when that fails (the warehouse is away), it is tried again in the
 * background until the warehouse answers; when the warehouse answers but refuses it (a table of
 * the run log changed by hand), the run is closed without its sources and checks, saying why.
 * And a run whose process stopped before recording its end (killed, or gone with the warehouse)
 * is closed as abandoned by the next refresh, or by any instance that finds nobody holding the
 * refresh lock (the row of dwh.refresh_lock, which only a login allowed to update it can lock): a
 * refresh holds it for its whole life, so a run still "running" while nobody holds it is dead. The records themselves are {@link RefreshRuns}'.
 */
final class RunRecovery implements AutoCloseable {

    /** The run log's lines, under the name they have always had. */
    private static final Logger LOG = LoggerFactory.getLogger(RefreshRuns.class);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(3);
    /** How long closing waits for a statement under way in the background. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    /**
     * The first tries, sooner: a session an administrator ended looks like an outage to the
     * first try, made at once, and the warehouse answers again a moment later (KnownOutage looks
     * at once); the run stayed 'running' for 3 s after its caller was told it failed.
     */
    private static final List<Duration> FIRST_RETRIES = List.of(Duration.ofMillis(200), Duration.ofMillis(600));

    private final RefreshRuns runs;
    /** Runs whose failure is still to be recorded (the warehouse was away). */
    private final Set<Long> unrecorded = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("run-log-retry"));

    RunRecovery(RefreshRuns runs) {
        this.runs = runs;
    }

    /**
     * Records the run as failed ({@link RefreshRuns#failed}); when the warehouse cannot take it
     * now, it is tried again in the background.
     */
    void failed(long runId, Instant at, String error, List<SourceReport> sources, List<CheckResult> checks) {
        try {
            if (!runs.failed(runId, at, error, sources, checks)) {
                alreadyEnded(runId);
            }
        } catch (RuntimeException e) {
            // A reason of the warehouse's own (a full disk, a deadlock) passes, as an outage does:
            // the whole record is tried again. Only a refusal for any other reason (a hand change)
            // closes the run without its sources and checks.
            Optional<String> stopped = Warehouse.stopped(e);
            String until;
            if (stopped.isPresent()) {
                until = "the warehouse takes it (" + stopped.get() + ")";
            } else if (Warehouse.unreachable(e)) {
                until = "the warehouse answers";
            } else if (recordedWithoutDetails(runId, at, error, e)) {
                return;
            } else {
                until = "the run log takes it (the warehouse refused it: a hand change to dwh.refresh_runs?)";
            }
            LOG.warn("could not record run {} as failed ({}); trying again shortly, then every {} s until {}", runId, e.getMessage(),
                RETRY_EVERY.toSeconds(), until);
            unrecorded.add(runId);
            retryFailure(runId, at, error, sources, checks, 0);
        }
    }

    /**
     * The warehouse answers but refused the record: a table of the run log changed by hand (the
     * refresh itself failed on that change, and its error names it). The run is closed without
     * its sources and checks, saying so, rather than left "running" until the change is undone:
     * a client following it would poll without end. False if even that is refused.
     */
    private boolean recordedWithoutDetails(long runId, Instant at, String error, RuntimeException refused) {
        String why = RefreshFailure.cause(refused);
        try {
            if (!runs.failedWithoutDetails(runId, at,
                error + " (its sources and checks could not be recorded: " + why + ")")) {
                alreadyEnded(runId);
                return true;
            }
        } catch (RuntimeException e) {
            return false;
        }
        LOG.warn("recorded run {} as failed without its sources and checks, which the run log refused ({})", runId,
            why);
        return true;
    }

    private void retryFailure(long runId, Instant at, String error, List<SourceReport> sources,
                              List<CheckResult> checks, int tried) {
        Duration after = tried < FIRST_RETRIES.size() ? FIRST_RETRIES.get(tried) : RETRY_EVERY;
        try {
            retries.schedule(() -> {
                try {
                    boolean recorded = runs.failed(runId, at, error, sources, checks);
                    unrecorded.remove(runId);
                    if (recorded) {
                        LOG.info("recorded run {} as failed, now that the warehouse takes it", runId);
                    } else {
                        alreadyEnded(runId);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("run {} still not recorded: {}", runId, e.getMessage());
                    retryFailure(runId, at, error, sources, checks, tried + 1);
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The service has closed: the next start closes the run as abandoned.
            LOG.warn("run {} is left running: the service closed before it could be recorded as failed ({})",
                runId, error);
        }
    }

    /**
     * The run log holds an end for the run already: the refresh lost its connection while it
     * committed, and the commit went through (its success stays, as it is the truth).
     */
    private static void alreadyEnded(long runId) {
        LOG.warn("run {} was not recorded as failed: the run log holds its end already (its commit went through "
            + "as the connection was lost)", runId);
    }

    /**
     * Closes runs left running by a process that stopped, as abandoned: at once if no refresh
     * holds the lock (then none of them is alive), otherwise when it no longer does (a refresh is
     * running, or the server is still finishing a stopped process's statement). Tried again in
     * the background, also while the warehouse is away, until no run is left running.
     */
    void closeAbandoned() {
        retries.execute(() -> closeAbandoned(true));
    }

    private void closeAbandoned(boolean first) {
        try {
            if (runs.closeAbandoned()) {
                // A refresh holds the lock: when it is over, look again.
                retries.schedule(() -> closeAbandoned(false), 1, TimeUnit.SECONDS);
            }
        } catch (RuntimeException e) {
            if (first) {
                LOG.warn("could not look for runs left running by a stopped process ({}); trying again every {} s",
                    e.getMessage(), RETRY_EVERY.toSeconds());
            }
            retries.schedule(() -> closeAbandoned(false), RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Every {@code every}, while this service runs, closes the runs another process left running
     * when it stopped (a {@code kill -9}, a lost machine), as {@link #closeAbandoned} does at
     * start: otherwise the surviving instances showed such a run as running, and a client
     * following it polled, until some instance started again. One statement that changes nothing
     * when no run is abandoned; a warehouse away is tried at the next tick.
     */
    void sweepEvery(Duration every) {
        retries.scheduleWithFixedDelay(() -> {
            try {
                runs.closeAbandoned();
            } catch (RuntimeException e) {
                LOG.debug("could not look for abandoned runs ({}); trying again in {} s", e.getMessage(),
                    every.toSeconds());
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops trying again: a run not recorded by now is closed as abandoned by the next start. A
     * statement under way ends first (3 s at most; JDBC does not heed the interrupt): the
     * pool closed under the start's look for abandoned runs, and a stop right after a start
     * logged the pool's warning with its stack trace, and ours.
     */
    @Override
    public void close() {
        retries.shutdownNow();
        try {
            if (!retries.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("the run log's background statement did not end within {} s", CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!unrecorded.isEmpty()) {
            LOG.warn("stopping before the failure of run(s) {} could be recorded: the next start closes them as "
                + "abandoned", unrecorded);
        }
    }
}
