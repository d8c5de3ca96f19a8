package dev.statedoses.refresh;

import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.KnownSource;
import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.SourceStream;
import dev.statedoses.text.Redaction;
import java.io.IOException;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extract and load: fetch → parse → COPY into each source's raw table, inside the refresh's
 * transaction. This class fetches ({@code SourceFetcher}) and hands each body to
 * {@link RawTables}, which parses it into COPY. Faithful and dumb: the raw tables get the sources'
 * values, typed, with the run and line they came from; the transform is SQL's job.
 *
 * <p>The three sources are asked for at once, and their bodies read ahead ({@code ReadAhead}),
 * so their downloads overlap; the loads into the one transaction follow one another. A fetch is
 * conditional on what the last good refresh saw of the same source: a source that has not changed
 * (a 304, or a file that hashes the same) is not loaded again, and its raw table keeps the rows
 * that refresh loaded. A transient fault in the middle of a body (a reset connection) loads that
 * source again from its start, after rolling its rows back to a savepoint taken before it.
 */
final class RawLoad {

    private static final Logger LOG = LoggerFactory.getLogger(RawLoad.class);
    static final String SHUTTING_DOWN = SourceAbandonedException.SHUTTING_DOWN;

    private final SourceFetcher fetcher;
    private final RawTables tables;
    private final Map<SourceName, URI> urls;
    private volatile boolean stopping;
    /** Every body open now (being read, or read ahead): stop() closes them all. */
    private final Set<SourceStream> open = ConcurrentHashMap.newKeySet();

    RawLoad(SourceFetcher fetcher, AllocationCsv allocations, CountyPopulationCsv counties,
            Map<SourceName, URI> urls) {
        this.fetcher = fetcher;
        this.tables = new RawTables(allocations, counties);
        this.urls = Map.copyOf(urls);
    }

    URI url(SourceName source) {
        return urls.get(source);
    }

    /** Makes ready ahead what the first fetch would otherwise set up (SourceFetcher#prepare). */
    void prepare() {
        fetcher.prepare();
    }

    /**
     * Loads every source into its raw table, in the order of {@link SourceName}, adding each
     * one's report to {@code loaded} as it is done (a failed refresh records the ones before).
     * {@code previous} are the last good refresh's reports (none: every source is fetched whole).
     */
    void loadAll(Handle tx, long runId, Map<SourceName, SourceReport> previous, List<SourceReport> loaded,
                 StepTimes steps) {
        Map<SourceName, Started> started = new EnumMap<>(SourceName.class);
        try {
            for (SourceName source : SourceName.values()) {
                SourceFetcher.Fetch fetch = fetcher.fetch(source, urls.get(source), known(previous.get(source), source));
                started.put(source, new Started(fetch, System.nanoTime(),
                    fetcher.inBackground(() -> opened(fetch.open()))));
            }
            // While the fetches go on: before any raw table is read or emptied (RawTables#lockAll).
            RawTables.lockAll(tx);
            for (SourceName source : SourceName.values()) {
                loaded.add(load(tx, runId, source, started.get(source), previous.get(source)));
                steps.mark("load " + source);
            }
        } finally {
            // After a failure, the sources not loaded yet are still open, or opening: close them.
            started.values().forEach(s -> s.body().thenAccept(this::closeQuietly));
        }
    }

    /**
     * What the last good refresh saw of the source, if it was read from the same source
     * ({@link Redaction#sameSource}): a pre-signed URL signed again since (a new X-Amz-Date and
     * X-Amz-Signature) is the same file, asked for with the same validators.
     */
    private KnownSource known(SourceReport previous, SourceName source) {
        if (previous == null || !Redaction.sameSource(previous.url(), urls.get(source))) {
            return null;
        }
        return new KnownSource(previous.sha256(), previous.etag(), previous.lastModified(), previous.answeredAt());
    }

    private SourceStream opened(SourceStream body) {
        open.add(body);
        if (stopping) {
            body.abandon(SHUTTING_DOWN);
        }
        return body;
    }

    /** A fetch asked for at once, as it goes, and when ({@link System#nanoTime}). */
    private record Started(SourceFetcher.Fetch fetch, long nanos, CompletableFuture<SourceStream> body) {
    }

    private SourceReport load(Handle tx, long runId, SourceName source, Started started, SourceReport previous) {
        URI url = urls.get(source);
        SourceFetcher.Fetch fetch = started.fetch();
        SourceStream first = join(started.body());
        String savepoint = "load_" + source.label();
        SourceReport comparedWith = previous;
        if (first.notModified()) {
            String kept = kept(tx, source, previous);
            if (kept != null) {
                close(first);
                LOG.info("{} has not changed since the last good refresh ({}): its {} rows stay", source,
                    first.etag() != null || first.lastModified() != null ? "the upstream answered 304" : "same bytes",
                    previous.rows());
                return previous.unchangedSince(Redaction.url(url), millisSince(started.nanos()), fetch.attempts(),
                    first.etag(), first.lastModified(), first.answeredAt(), kept);
            }
            // The raw table no longer holds what that refresh loaded (changed by hand?): load it
            // whole, as a changed source, so the refresh rebuilds from it.
            warnNotKept(source);
            close(first);
            SourceFetcher.Fetch whole = fetcher.fetch(source, url, null);
            fetch = whole;
            // On a fetch thread, as every opening is: stopping interrupts those.
            first = join(fetcher.inBackground(() -> opened(whole.open())));
            comparedWith = null;
        }
        SourceStream body = first;
        while (true) {
            tx.savepoint(savepoint);
            SourceStream reading = body;
            try (reading) {
                if (stopping) {
                    reading.abandon(SHUTTING_DOWN);
                }
                long rows = tables.copy(tx, runId, source, reading);
                LOG.info("loaded {}: {} rows, {} bytes from {}{}", source, rows, reading.bytes(), Redaction.url(url),
                    fetch.attempts() > 1 ? " (attempt " + fetch.attempts() + ")" : "");
                if (sameBytes(comparedWith, url, reading)) {
                    // The bytes the last good refresh loaded (an upstream that answered 200 under a
                    // new date or ETag, or that sends no validators; a file's hash is compared
                    // before it is read, and comes as a 304 above): not loaded again. Back to the
                    // rows that refresh left, if they are still there, as for a 304: otherwise this
                    // run would record the digest of rows it did not keep, and the next refresh take
                    // the rows it kept for a hand edit (and a hand edit for rows it kept).
                    tx.rollbackToSavepoint(savepoint);
                    String kept = kept(tx, source, comparedWith);
                    // (JDBI forgets a savepoint rolled back to; the warehouse keeps it to the end.)
                    if (kept != null) {
                        LOG.info("{} has not changed since the last good refresh (same bytes): its {} rows stay",
                            source, comparedWith.rows());
                        return comparedWith.unchangedSince(Redaction.url(url), millisSince(started.nanos()),
                            fetch.attempts(), reading.etag(), reading.lastModified(), reading.answeredAt(), kept);
                    }
                    warnNotKept(source);
                    SourceFetcher.Fetch whole = fetcher.fetch(source, url, null);
                    fetch = whole;
                    body = join(fetcher.inBackground(() -> opened(whole.open())));
                    comparedWith = null;
                    continue;
                }
                tx.releaseSavepoint(savepoint);
                return report(tx, source, url, reading, rows, millisSince(started.nanos()), fetch.attempts());
            } catch (SourceException e) {
                // A file written while it was read: not its bytes' fault, but the change's.
                SourceException fault = reading.orChange(e);
                // The pause and the next attempt run on a fetch thread, which stopping interrupts
                // (a Retry-After may ask for seconds), or refuses: the refresh ends as a shutdown.
                SourceFetcher.Fetch retried = fetch;
                SourceStream next = join(fetcher.inBackground(
                    () -> retried.mayRetry(fault) ? opened(retried.open()) : null));
                if (next == null) {
                    throw fault.afterAttempts(fetch.attempts());
                }
                tx.rollbackToSavepoint(savepoint);
                body = next;
            } catch (IOException e) {
                // Only closing the body can throw it here, once its rows are in: nothing to undo.
                throw SourceException.unavailable(source, url, "closing the body failed: " + e.getMessage(), e);
            } finally {
                open.remove(reading);
            }
        }
    }

    private static void warnNotKept(SourceName source) {
        LOG.warn("{} has not changed since the last good refresh, but its raw table {} no longer holds the rows "
            + "that refresh left (changed by hand?): loading it again", source, RawTables.table(source));
    }

    /** Whether {@code body} is what the last good refresh loaded from the same source. */
    private static boolean sameBytes(SourceReport previous, URI url, SourceStream body) {
        return previous != null && Redaction.sameSource(previous.url(), url)
            && previous.sha256().equals(body.sha256Hex());
    }

    /**
     * The digest of the source's raw table (row count and a hash of every row) if it still holds
     * the rows the last good refresh left, else null. A run from before digests were kept (V22)
     * can only be compared by its row count; its rows are then kept with the digest they give now,
     * which the next refresh compares with.
     */
    private static String kept(Handle tx, SourceName source, SourceReport previous) {
        String now = RawTables.digest(tx, source);
        boolean same = previous.rowsDigest() == null
            ? RawTables.rows(tx, source) == previous.rows()
            : previous.rowsDigest().equals(now);
        return same ? now : null;
    }

    private static SourceStream join(CompletableFuture<SourceStream> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** On the monotonic clock: a step of the wall clock (NTP, a VM resumed) makes no load take -1 h. */
    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * What a changed source delivered, its URL redacted (the report goes to the run log and to
     * anyone who asks GET /refreshes), with the digest of the rows it loaded.
     */
    private static SourceReport report(Handle tx, SourceName source, URI url, SourceStream body, long rows,
                                       long loadMs, int attempts) {
        RawTables.Weeks weeks = RawTables.weeks(tx, source);
        return new SourceReport(source.label(), Redaction.url(url), body.bytes(), rows, body.sha256Hex(), loadMs,
            attempts, false, body.etag(), body.lastModified(), body.answeredAt(), weeks.first(), weeks.last(),
            weeks.count(), RawTables.digest(tx, source));
    }

    private void closeQuietly(SourceStream body) {
        open.remove(body);
        close(body);
    }

    private static void close(SourceStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is all we want
        }
    }

    /** Whether {@link #stop()} was called: no new refresh may start. */
    boolean stopping() {
        return stopping;
    }

    /**
     * Stops every source being read or read ahead (its refresh rolls back), and any that would
     * start; a source still waiting for its upstream's answer is interrupted (the fetcher closes).
     */
    void stop() {
        stopping = true;
        open.forEach(body -> body.abandon(SHUTTING_DOWN));
        fetcher.close();
    }

    /** A refresh stopped by {@link #stop()} before it began. */
    static SourceAbandonedException stopped() {
        return SourceAbandonedException.shuttingDown();
    }
}
