package dev.statedoses.refresh;

import dev.statedoses.BuildInfo;
import dev.statedoses.source.LoopbackUpstream;
import dev.statedoses.source.SourceName;
import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.WarehouseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;

/**
 * A refresh rehearsed once after a start, in a transaction that is always rolled back: the last
 * good load, written back from the raw tables in the sources' own formats, served from loopback
 * servers of our own, fetched, parsed and COPYed again, staged, checked, built and recorded, as a
 * refresh does all of it (RefreshService#build), under a run numbered 0.
 *
 * <p>Why: a refresh is rare and usually the first since its process started. The JIT warm-up of
 * its parsing ({@code WarmUp}) left the first refresh after a start 1.3 to 1.9 times as long as
 * the next (bench/refresh.sh): every step slower, as the JIT compiled, during the refresh, code
 * only a refresh runs (the driver's parsing of the long SQL, the checks', the run record's) on the
 * core the warehouse needed (a profile of one: 460 ms of compilation in a 480 ms refresh). A
 * first refresh that came after a failed one took no longer than the tenth: the rehearsal gives it
 * that start, with nothing failed.
 *
 * <p>It leaves nothing behind: the rollback undoes the loads, the product, the run and its
 * records, and drops the NOTIFY (sent only at a commit); run 0 takes no number from the runs'
 * sequence. It holds this process's refresh lock, but not the warehouse's: a refresh asked for
 * here meanwhile waits for it (RefreshService#refresh), one of another process waits on the raw
 * tables for as long (a few tenths of a second). It waits for no lock itself
 * ({@link #LOCK_TIMEOUT}), and it is skipped without a load in each raw table, or with more than
 * {@link #MAX_ROWS} rows in them (it would cost the warehouse seconds, and a refresh of that size
 * dwarfs what a cold start adds).
 */
public final class Rehearsal {

    /** About 15 times the real files' 6,700 rows. */
    static final long MAX_ROWS = 100_000;
    /** A lock someone holds (an analyst's, a refresh's in another process) ends the rehearsal. */
    static final String LOCK_TIMEOUT = "1s";
    private static final String RAW_ROWS = Sql.load("rehearsal/raw_rows.sql");
    private static final String ALLOCATION_FILE = Sql.load("rehearsal/allocation_file.sql");
    private static final String COUNTY_FILE = Sql.load("rehearsal/county_file.sql");
    private static final String RUN = Sql.load("rehearsal/run.sql");

    Rehearsal() {
    }

    /** The refresh's own steps, from the load on, run on {@code urls} under {@code runId}. */
    @FunctionalInterface
    interface Pipeline {
        RefreshReport build(Map<SourceName, URI> urls, long runId);
    }

    /**
     * What a rehearsal did: the source rows it loaded again and the state rows it built, with its
     * time; or why it was skipped, or how its refresh failed (a newer build may judge an older
     * load otherwise: the part before the failure is rehearsed all the same).
     */
    public record Outcome(long rows, long stateRows, String skipped, String failed, long millis) {

        static Outcome skipped(String why, long started) {
            return new Outcome(0, 0, why, null, millisSince(started));
        }

        /** For the log line. */
        public String describe() {
            if (skipped != null) {
                return "skipped: " + skipped;
            }
            if (failed != null) {
                return String.format(Locale.ROOT, "in %d ms, up to its failure (%s); rolled back", millis, failed);
            }
            return String.format(Locale.ROOT, "in %d ms: the last good load's %d rows fetched from this process and loaded again, "
                + "%d state rows built and checked; rolled back", millis, rows, stateRows);
        }
    }

    /**
     * Rehearses a refresh in {@code tx}, which the caller rolls back: the last good load written
     * back ({@link #files}), served, and given to {@code pipeline}.
     */
    Outcome run(Handle tx, Pipeline pipeline) {
        long started = System.nanoTime();
        tx.execute("set local lock_timeout = '" + LOCK_TIMEOUT + "'");
        // Before it reads them: a refresh of another instance takes them first too (RawTables#lockAll).
        RawTables.lockAll(tx);
        Map<String, Object> raw = tx.createQuery(RAW_ROWS).bind("most", MAX_ROWS + 1).mapToMap().one();
        long rows = 0;
        for (Object count : raw.values()) {
            if (((Number) count).longValue() == 0) {
                return Outcome.skipped("no load in the raw tables yet", started);
            }
            rows += ((Number) count).longValue();
        }
        if (rows > MAX_ROWS) {
            return Outcome.skipped("the raw tables hold more than " + MAX_ROWS + " rows", started);
        }
        Map<SourceName, byte[]> files = files(tx);
        List<LoopbackUpstream> upstreams = new ArrayList<>();
        try {
            Map<SourceName, URI> urls = new EnumMap<>(SourceName.class);
            for (Map.Entry<SourceName, byte[]> file : files.entrySet()) {
                LoopbackUpstream upstream = LoopbackUpstream.serving(file.getValue());
                upstreams.add(upstream);
                urls.put(file.getKey(), upstream.url());
            }
            long runId = tx.createQuery(RUN).bind("build", BuildInfo.build()).mapTo(Long.class).one();
            try {
                RefreshReport report = pipeline.build(urls, runId);
                long loaded = report.sources().stream().mapToLong(SourceReport::rows).sum();
                return new Outcome(loaded, report.stateRows(), null, null, millisSince(started));
            } catch (RuntimeException e) {
                return new Outcome(0, 0, null, RefreshFailure.recorded(e), millisSince(started));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            upstreams.forEach(LoopbackUpstream::close);
        }
    }

    /** The raw tables written back as the sources' files ({@code sql/rehearsal/*_file.sql}). */
    private static Map<SourceName, byte[]> files(Handle tx) {
        Map<SourceName, byte[]> files = new EnumMap<>(SourceName.class);
        files.put(SourceName.MODERNA, copyOut(tx, ALLOCATION_FILE.replace("{table}", "raw.cdc_moderna_allocations")));
        files.put(SourceName.PFIZER, copyOut(tx, ALLOCATION_FILE.replace("{table}", "raw.cdc_pfizer_allocations")));
        files.put(SourceName.POPULATION, copyOut(tx, COUNTY_FILE));
        return files;
    }

    private static byte[] copyOut(Handle tx, String sql) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            tx.getConnection().unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        } catch (SQLException e) {
            throw new WarehouseException("writing the last load back for a rehearsal failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
