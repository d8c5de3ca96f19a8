package dev.statedoses.refresh;

import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.SourceStream;
import dev.statedoses.warehouse.CopyWriter;
import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.warehouse.WarehouseException;
import java.net.URI;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One refresh: fetch the three sources, load them into the raw tables and rebuild
 * {@code dwh.state_doses}, all in one transaction. Readers see the old product until it commits;
 * if anything fails, it rolls back and the last good product stays exactly as it was.
 */
public final class RefreshService {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshService.class);

    /** The advisory lock that lets one refresh run at a time on a warehouse, across processes. */
    private static final long REFRESH_LOCK = 0x5374_6174_6544_6f73L; // "StateDos"

    private static final String SHUTTING_DOWN = "the service is shutting down; the refresh was rolled back";

    private static final String STAGE_SQL = Sql.load("stage_allocations.sql");
    private static final String BUILD_SQL = Sql.load("build_state_doses.sql");
    private static final String CONFLICTS_SQL = Sql.load("conflicting_allocations.sql");
    private static final String MISSING_STATES_SQL = Sql.load("states_without_counties.sql");
    private static final String SOURCE_WEEKS_SQL = Sql.load("source_weeks.sql");

    private final Jdbi jdbi;
    private final RefreshRuns runs;
    private final SourceFetcher fetcher;
    private final AllocationCsv allocations;
    private final CountyPopulationCsv counties;
    private final Map<SourceName, URI> urls;
    private final Clock clock;
    private final ReentrantLock localLock = new ReentrantLock();
    private volatile boolean stopping;
    private volatile Runnable onRefreshed = () -> { };
    private volatile SourceStream reading;

    public RefreshService(Jdbi jdbi, SourceFetcher fetcher, AllocationCsv allocations,
                          CountyPopulationCsv counties, Map<SourceName, URI> urls, Clock clock) {
        this.jdbi = jdbi;
        this.runs = new RefreshRuns(jdbi);
        this.fetcher = fetcher;
        this.allocations = allocations;
        this.counties = counties;
        this.urls = Map.copyOf(urls);
        this.clock = clock;
    }

    public RefreshReport refresh() {
        if (stopping) {
            throw new SourceAbandonedException(SHUTTING_DOWN);
        }
        // The in-process lock spares a second caller a warehouse connection; the advisory lock
        // below is what guards the warehouse against other processes.
        if (!localLock.tryLock()) {
            throw new RefreshBusyException();
        }
        try (Handle tx = jdbi.open()) {
            tx.begin();
            if (!tx.createQuery("select pg_try_advisory_xact_lock(:key)").bind("key", REFRESH_LOCK)
                    .mapTo(Boolean.class).one()) {
                tx.rollback();
                throw new RefreshBusyException();
            }
            return refreshLocked(tx);
        } finally {
            localLock.unlock();
        }
    }

    private RefreshReport refreshLocked(Handle tx) {
        StepTimes steps = new StepTimes();
        Instant started = clock.instant();
        long runId = runs.start(started);
        steps.mark("record start");
        MDC.put("run_id", Long.toString(runId));
        // The sources loaded so far: a failed run is recorded with them, for its lineage.
        List<SourceReport> sources = new ArrayList<>();
        RefreshReport report;
        try {
            LOG.info("refresh started");
            report = build(tx, runId, started, sources, steps);
            tx.commit();
            steps.mark("commit");
        } catch (RuntimeException e) {
            rollbackQuietly(tx);
            String error = e instanceof SourceException source ? source.describe() : e.getMessage();
            LOG.warn("refresh failed, product unchanged: {}", error);
            try {
                runs.failed(runId, clock.instant(), error, sources,
                    e instanceof CheckFailedException checks ? checks.checks() : List.of());
            } catch (RuntimeException recordFailure) {
                e.addSuppressed(recordFailure);
            }
            throw e;
        } finally {
            MDC.remove("run_id");
        }
        // Committed: from here on nothing may turn the run into a failure.
        LOG.info("refresh {} succeeded in {} ms: {} state rows, {} doses, {} excluded", runId,
            report.durationMs(), report.stateRows(), report.dosesInSources(), report.dosesExcluded());
        try {
            onRefreshed.run();
            steps.mark("snapshot");
        } catch (RuntimeException e) {
            LOG.warn("refresh {} committed, but reloading this instance's snapshot failed ({}); "
                + "its NOTIFY will reload it", runId, e.getMessage());
        }
        LOG.info("refresh {} steps: {}", runId, steps);
        return report;
    }

    private RefreshReport build(Handle tx, long runId, Instant started, List<SourceReport> sources,
                                StepTimes steps) {
        tx.createQuery("select set_config('state_doses.run_id', :run, true)")
            .bind("run", Long.toString(runId)).mapTo(String.class).one();
        script(tx, "truncate raw.cdc_moderna_allocations, raw.cdc_pfizer_allocations, raw.county_population");

        steps.mark("truncate");
        sources.add(load(tx, runId, SourceName.MODERNA, "raw.cdc_moderna_allocations"));
        steps.mark("load moderna");
        sources.add(load(tx, runId, SourceName.PFIZER, "raw.cdc_pfizer_allocations"));
        steps.mark("load pfizer");
        sources.add(load(tx, runId, SourceName.POPULATION, "raw.county_population"));
        steps.mark("load population");

        script(tx, STAGE_SQL);
        steps.mark("stage");
        checkSources(tx);
        steps.mark("source checks");
        script(tx, BUILD_SQL);
        steps.mark("build");

        int stateRows = tx.createQuery("select count(*) from dwh.state_doses").mapTo(Integer.class).one();
        List<Exclusion> exclusions = tx.createQuery("""
                select jurisdiction, kind, doses_moderna, doses_pfizer, doses_total
                from dwh.refresh_exclusions where run_id = :run
                order by doses_total desc, jurisdiction""")
            .bind("run", runId)
            .map((rs, ctx) -> new Exclusion(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
            .list();
        long inSources = tx.createQuery(
                "select coalesce(sum(first_dose_allocations + second_dose_allocations), 0) from run_allocations")
            .mapTo(Long.class).one();
        long inStateRows = tx.createQuery("select coalesce(sum(doses_total), 0) from dwh.state_doses")
            .mapTo(Long.class).one();
        long excluded = exclusions.stream().mapToLong(Exclusion::dosesTotal).sum();
        steps.mark("totals");

        // The product is built: check it (and the sources) before it may commit.
        List<CheckResult> checks = DataChecks.run(tx);
        for (CheckResult check : checks) {
            if (!CheckResult.PASS.equals(check.status())) {
                LOG.warn("check {} {}: {}", check.name(), check.status(), check.detail());
            }
        }
        if (checks.stream().anyMatch(CheckResult::failed)) {
            throw new CheckFailedException(checks);
        }
        steps.mark("data checks");

        Instant finished = clock.instant();
        runs.succeeded(tx, runId, finished, stateRows, sources, checks);
        // Delivered at commit, and only if it commits: other instances reload their snapshot.
        tx.createQuery("select pg_notify('" + Warehouse.PRODUCT_CHANNEL + "', :run)")
            .bind("run", Long.toString(runId)).mapTo(String.class).one();
        steps.mark("record result");
        return new RefreshReport(runId, started, finished, Duration.between(started, finished).toMillis(),
            List.copyOf(sources), stateRows, inSources, inStateRows, excluded, exclusions, checks);
    }

    /** Streams one source from its URL through the CSV reader into its raw table with COPY. */
    private SourceReport load(Handle tx, long runId, SourceName source, String table) {
        URI url = urls.get(source);
        Instant start = clock.instant();
        long rows;
        try (SourceStream body = fetcher.open(source, url)) {
            reading = body;
            if (stopping) {
                body.abandon(SHUTTING_DOWN);
            }
            if (source == SourceName.POPULATION) {
                try (CopyWriter copy = CopyWriter.begin(tx.getConnection(), table,
                        "run_id", "line", "id", "id2", "county", "state", "population_estimate_2018")) {
                    rows = counties.read(body, c -> copy.field(runId).field(c.line()).field(c.id()).field(c.id2())
                        .field(c.county()).field(c.state()).field(c.population()).endRow());
                    copy.finish();
                }
            } else {
                try (CopyWriter copy = CopyWriter.begin(tx.getConnection(), table, "run_id", "line", "jurisdiction",
                        "week_of_allocations", "first_dose_allocations", "second_dose_allocations")) {
                    rows = allocations.read(body, a -> copy.field(runId).field(a.line()).field(a.jurisdiction())
                        .field(a.week()).field(a.firstDoses()).field(a.secondDoses()).endRow());
                    copy.finish();
                }
            }
            long loadMs = Duration.between(start, clock.instant()).toMillis();
            LOG.info("loaded {}: {} rows, {} bytes from {}", source, rows, body.bytes(), url);
            if (source == SourceName.POPULATION) {
                return new SourceReport(source.label(), url.toString(), body.bytes(), rows, body.sha256Hex(), loadMs,
                    null, null, null);
            }
            return tx.createQuery(SOURCE_WEEKS_SQL)
                .bind("source", source.label())
                .map((rs, ctx) -> new SourceReport(source.label(), url.toString(), body.bytes(), rows,
                    body.sha256Hex(), loadMs, rs.getObject("first_week", java.time.LocalDate.class),
                    rs.getObject("last_week", java.time.LocalDate.class), rs.getInt("weeks")))
                .one();
        } catch (java.io.IOException e) {
            throw SourceException.unavailable(source, url, "reading the body failed: " + e.getMessage(), e);
        } finally {
            reading = null;
        }
    }

    /** Runs {@code action} in this process after each refresh commits (other processes hear NOTIFY). */
    public void onRefreshed(Runnable action) {
        this.onRefreshed = action;
    }

    /**
     * Stops a refresh that is still reading a source (it rolls back and is recorded as failed)
     * and refuses new ones: called on shutdown, so a stopping service leaves no half-done work.
     */
    public void shutdown() {
        stopping = true;
        SourceStream current = reading;
        if (current != null) {
            current.abandon(SHUTTING_DOWN);
        }
    }

    /**
     * Marks runs left 'running' by a process that died mid-refresh as failed. Only when no
     * refresh holds the lock anywhere: a run another instance is doing right now is running.
     */
    public int recoverInterrupted() {
        return jdbi.withHandle(h -> {
            if (!h.createQuery("select pg_try_advisory_lock(:key)").bind("key", REFRESH_LOCK)
                    .mapTo(Boolean.class).one()) {
                return 0;
            }
            try {
                int runs = h.createUpdate("""
                        update dwh.refresh_runs
                        set status = 'failed', finished_at = now(),
                            error = 'interrupted: the process running it stopped before it finished'
                        where status = 'running'""")
                    .execute();
                if (runs > 0) {
                    LOG.warn("marked {} interrupted refresh run(s) as failed", runs);
                }
                return runs;
            } finally {
                h.createQuery("select pg_advisory_unlock(:key)").bind("key", REFRESH_LOCK)
                    .mapTo(Boolean.class).one();
            }
        });
    }

    /** Checks that need all rows at once: they run in SQL over the freshly loaded raw tables. */
    private void checkSources(Handle tx) {
        // The flag is one scan of the staged table; the query that names the lines sorts the raw
        // rows (200 ms at 30 times the real size), so it runs only when there is a conflict.
        boolean flagged = tx.createQuery("select exists (select 1 from run_allocations where conflicting)")
            .mapTo(Boolean.class).one();
        Optional<SourceException> conflict = !flagged ? Optional.empty() : tx.createQuery(CONFLICTS_SQL)
            .map((rs, ctx) -> {
                SourceName source = SourceName.valueOf(rs.getString("source").toUpperCase(java.util.Locale.ROOT));
                long firstLine = rs.getLong("first_line");
                long otherLine = rs.getLong("other_line");
                return SourceException.content(source, urls.get(source), otherLine, null,
                    rs.getString("jurisdiction") + " has two different allocations for the week of "
                        + rs.getObject("week_of_allocations", java.time.LocalDate.class)
                        + " (lines " + firstLine + " and " + otherLine + ")");
            })
            .findFirst();
        if (conflict.isPresent()) {
            throw conflict.get();
        }
        List<String> missing = tx.createQuery(MISSING_STATES_SQL).mapTo(String.class).list();
        if (!missing.isEmpty()) {
            throw SourceException.content(SourceName.POPULATION, urls.get(SourceName.POPULATION), null, "State",
                "no county of " + String.join(", ", missing) + ": the product needs every state and DC");
        }
    }

    private static void script(Handle tx, String sql) {
        try (Statement statement = tx.getConnection().createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new WarehouseException("building the product failed", e);
        }
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
