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
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extract and load, one source at a time: fetch → parse → COPY into its raw table, inside the
 * refresh's transaction. Faithful and dumb: the raw tables get the sources' values, typed, with
 * the run and line they came from; the transform is SQL's job.
 *
 * <p>A transient fault in the middle of a body (a reset connection) loads that source again from
 * its start: the rows it had copied are rolled back to a savepoint taken before it, so the other
 * sources' rows stay and none is loaded twice.
 */
final class RawLoad {

    private static final Logger LOG = LoggerFactory.getLogger(RawLoad.class);
    private static final String SOURCE_WEEKS_SQL = Sql.load("source_weeks.sql");
    static final String SHUTTING_DOWN = "the service is shutting down; the refresh was rolled back";

    private final SourceFetcher fetcher;
    private final AllocationCsv allocations;
    private final CountyPopulationCsv counties;
    private final Map<SourceName, URI> urls;
    private final Clock clock;
    private volatile boolean stopping;
    private volatile SourceStream reading;

    RawLoad(SourceFetcher fetcher, AllocationCsv allocations, CountyPopulationCsv counties,
            Map<SourceName, URI> urls, Clock clock) {
        this.fetcher = fetcher;
        this.allocations = allocations;
        this.counties = counties;
        this.urls = Map.copyOf(urls);
        this.clock = clock;
    }

    URI url(SourceName source) {
        return urls.get(source);
    }

    /** Streams {@code source} from its URL into its raw table; answers what it loaded. */
    SourceReport load(Handle tx, long runId, SourceName source) {
        URI url = urls.get(source);
        Instant start = clock.instant();
        SourceFetcher.Fetch fetch = fetcher.fetch(source, url);
        String savepoint = "load_" + source.label();
        while (true) {
            tx.savepoint(savepoint);
            try (SourceStream body = fetch.open()) {
                reading = body;
                if (stopping) {
                    body.abandon(SHUTTING_DOWN);
                }
                long rows = copy(tx, runId, source, body);
                long loadMs = Duration.between(start, clock.instant()).toMillis();
                LOG.info("loaded {}: {} rows, {} bytes from {}{}", source, rows, body.bytes(), url,
                    fetch.attempts() > 1 ? " (attempt " + fetch.attempts() + ")" : "");
                tx.releaseSavepoint(savepoint);
                return report(tx, source, url, body, rows, loadMs, fetch.attempts());
            } catch (SourceException e) {
                if (!fetch.mayRetry(e)) {
                    throw e.afterAttempts(fetch.attempts());
                }
                tx.rollbackToSavepoint(savepoint);
            } catch (IOException e) {
                // Only closing the body can throw it here, once its rows are in: nothing to undo.
                throw SourceException.unavailable(source, url, "closing the body failed: " + e.getMessage(), e);
            } finally {
                reading = null;
            }
        }
    }

    private long copy(Handle tx, long runId, SourceName source, SourceStream body) {
        if (source == SourceName.POPULATION) {
            try (CopyWriter copy = CopyWriter.begin(tx.getConnection(), "raw.county_population",
                    "run_id", "line", "id", "id2", "county", "state", "population_estimate_2018")) {
                long rows = counties.read(body, c -> copy.field(runId).field(c.line()).field(c.id()).field(c.id2())
                    .field(c.county()).field(c.state()).field(c.population()).endRow());
                copy.finish();
                return rows;
            }
        }
        String table = source == SourceName.MODERNA ? "raw.cdc_moderna_allocations" : "raw.cdc_pfizer_allocations";
        try (CopyWriter copy = CopyWriter.begin(tx.getConnection(), table, "run_id", "line", "jurisdiction",
                "week_of_allocations", "first_dose_allocations", "second_dose_allocations")) {
            long rows = allocations.read(body, a -> copy.field(runId).field(a.line()).field(a.jurisdiction())
                .field(a.week()).field(a.firstDoses()).field(a.secondDoses()).endRow());
            copy.finish();
            return rows;
        }
    }

    private static SourceReport report(Handle tx, SourceName source, URI url, SourceStream body, long rows,
                                       long loadMs, int attempts) {
        if (source == SourceName.POPULATION) {
            return new SourceReport(source.label(), url.toString(), body.bytes(), rows, body.sha256Hex(), loadMs,
                attempts, null, null, null);
        }
        return tx.createQuery(SOURCE_WEEKS_SQL)
            .bind("source", source.label())
            .map((rs, ctx) -> new SourceReport(source.label(), url.toString(), body.bytes(), rows,
                body.sha256Hex(), loadMs, attempts, rs.getObject("first_week", LocalDate.class),
                rs.getObject("last_week", LocalDate.class), rs.getInt("weeks")))
            .one();
    }

    /** Whether {@link #stop()} was called: no new refresh may start. */
    boolean stopping() {
        return stopping;
    }

    /** Stops a source being read (its refresh rolls back) and any that would start. */
    void stop() {
        stopping = true;
        SourceStream current = reading;
        if (current != null) {
            current.abandon(SHUTTING_DOWN);
        }
    }

    /** A refresh stopped by {@link #stop()} before it began. */
    static SourceAbandonedException stopped() {
        return new SourceAbandonedException(SHUTTING_DOWN);
    }
}
