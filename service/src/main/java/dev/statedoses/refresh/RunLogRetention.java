package dev.statedoses.refresh;

import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.Sql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RUN_LOG_DAYS: the run log keeps the runs that ended within that many days, and the runs that
 * must stay whatever their age (sql/runs/prune_run_log.sql says which). Pruned in the background
 * while the service serves, a while after it starts and then every hour, never in a refresh: a
 * refresh costs no more for it, and a prune that fails (the warehouse away) is only tried again
 * at the next tick. Several instances may prune at once; a run deleted by one is skipped by the
 * others.
 */
public final class RunLogRetention implements AutoCloseable {

    /** The run log's lines, under the name they have always had. */
    private static final Logger LOG = LoggerFactory.getLogger(RefreshRuns.class);
    private static final String PRUNE = Sql.load("runs/prune_run_log.sql");
    private static final String VACUUM = Sql.load("runs/vacuum_run_log.sql");
    /**
     * Runs deleted by one statement: a first prune of a long log (100,000 runs after two months
     * at REFRESH_INTERVAL=45s) goes in short transactions, not one that holds every row.
     */
    static final int BATCH = 5_000;

    private final Jdbi jdbi;
    private final int days;
    private final Clock clock;
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("run-log-retention"));

    public RunLogRetention(Jdbi jdbi, int days, Clock clock) {
        if (days < 1) {
            throw new IllegalArgumentException("the run log keeps at least a day, not " + days);
        }
        this.jdbi = jdbi;
        this.days = days;
        this.clock = clock;
    }

    /** Prunes after {@code first}, then every {@code every}, until closed. */
    public void start(Duration first, Duration every) {
        timer.scheduleWithFixedDelay(this::pruneQuietly, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Deletes the runs that ended more than {@code days} days ago and may go, in batches of
     * {@link #BATCH}, then vacuums the run log if it deleted any; returns how many.
     */
    public int prune() {
        Instant before = clock.instant().minus(Duration.ofDays(days));
        int deleted = 0;
        while (true) {
            List<Long> batch = jdbi.inTransaction(h -> h.createQuery(PRUNE)
                .bind("before", before)
                .bind("batch", BATCH)
                .mapTo(Long.class)
                .list());
            deleted += batch.size();
            if (batch.size() < BATCH) {
                break;
            }
        }
        if (deleted > 0) {
            vacuum();
        }
        return deleted;
    }

    /**
     * The deleted rows' room made usable again (sql/runs/vacuum_run_log.sql): without it, on a
     * server whose autovacuum is off, a prune kept the rows' count down but not the tables' size.
     * A vacuum that fails takes nothing from the prune, which has committed: it is only logged,
     * and the next prune that deletes tries again.
     */
    private void vacuum() {
        ProductVacuum.vacuumQuietly(jdbi, VACUUM, LOG, "run log: vacuuming after a prune");
    }

    private void pruneQuietly() {
        try {
            int deleted = prune();
            if (deleted > 0) {
                LOG.info("run log: deleted {} run(s) that ended more than {} day(s) ago (RUN_LOG_DAYS)", deleted, days);
            }
        } catch (RuntimeException e) {
            LOG.warn("run log: could not delete the runs older than {} day(s) ({}); trying again at the next prune",
                days, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
