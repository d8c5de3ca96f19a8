package dev.statedoses.refresh;

import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.SourceStream;
import dev.statedoses.warehouse.CopyWriter;
import dev.statedoses.warehouse.Sql;
import java.time.LocalDate;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/**
 * Parse → COPY: each source's raw table, emptied and filled with the rows its CSV reader parses
 * from the body, streamed into PostgreSQL's COPY inside the refresh's transaction. The rows keep
 * the source's values, typed, with the run and the line they came from.
 */
final class RawTables {

    private static final String SOURCE_WEEKS_SQL = Sql.load("source_weeks.sql");
    private static final String RAW_DIGEST = Sql.load("kept/raw_digest.sql");

    private final AllocationCsv allocations;
    private final CountyPopulationCsv counties;

    RawTables(AllocationCsv allocations, CountyPopulationCsv counties) {
        this.allocations = allocations;
        this.counties = counties;
    }

    static String table(SourceName source) {
        return switch (source) {
            case MODERNA -> "raw.cdc_moderna_allocations";
            case PFIZER -> "raw.cdc_pfizer_allocations";
            case POPULATION -> "raw.county_population";
        };
    }

    /**
     * Takes the three raw tables, always in the same order, in a mode that only another taker
     * (and a truncate or VACUUM) waits for: readers go on. A refresh and a rehearsal of another
     * instance (after its start) then follow one another, and never each hold one table the other
     * waits for. They deadlocked so: the refresh kept an unchanged source's rows (its digest read
     * holds that table) and waited to empty the next one, which the rehearsal had read and held,
     * while the rehearsal waited to empty the first. PostgreSQL broke the cycle by failing one of
     * them, sometimes the refresh: a 503 and a failed run for a sound refresh.
     */
    static void lockAll(Handle tx) {
        tx.execute("lock table " + table(SourceName.MODERNA) + ", " + table(SourceName.PFIZER) + ", "
            + table(SourceName.POPULATION) + " in share update exclusive mode");
    }

    /**
     * The source's raw table as a digest (sql/kept/raw_digest.sql): its row count and the sum of a
     * hash of each row. Equal digests: the rows a load left are still there.
     */
    static String digest(Handle tx, SourceName source) {
        return tx.createQuery(String.format(Locale.ROOT, RAW_DIGEST, table(source))).mapTo(String.class).one();
    }

    /** How many rows the source's raw table holds now. */
    static long rows(Handle tx, SourceName source) {
        return tx.createQuery("select count(*) from " + table(source)).mapTo(Long.class).one();
    }

    /** Empties the source's raw table and copies the body's rows into it; answers how many. */
    long copy(Handle tx, long runId, SourceName source, SourceStream body) {
        tx.execute("truncate " + table(source));
        try (CopyWriter copy = CopyWriter.begin(tx.getConnection(), table(source), columns(source))) {
            long rows = write(copy, runId, source, body);
            copy.finish();
            return rows;
        }
    }

    /** The raw table's columns, in the order {@link #write} sends the values. */
    private static String[] columns(SourceName source) {
        return source == SourceName.POPULATION
            ? new String[] {"run_id", "line", "id", "id2", "county", "state", "population_estimate_2018"}
            : new String[] {"run_id", "line", "jurisdiction", "week_of_allocations", "first_dose_allocations",
                "second_dose_allocations"};
    }

    /** Parses the body's rows into {@code copy}, one COPY row each; answers how many. */
    long write(CopyWriter copy, long runId, SourceName source, SourceStream body) {
        if (source == SourceName.POPULATION) {
            return counties.read(body, c -> copy.field(runId).field(c.line()).field(c.id()).field(c.id2())
                .field(c.county()).field(c.state()).field(c.population()).endRow());
        }
        return allocations.read(body, a -> copy.field(runId).field(a.line()).field(a.jurisdiction())
            .field(a.week()).field(a.firstDoses()).field(a.secondDoses()).endRow());
    }

    /** The weeks an allocation source's raw table covers (sql/source_weeks.sql); none for the population. */
    static Weeks weeks(Handle tx, SourceName source) {
        if (source == SourceName.POPULATION) {
            return new Weeks(null, null, null);
        }
        return tx.createQuery(SOURCE_WEEKS_SQL)
            .define("table", table(source))
            .map((rs, ctx) -> new Weeks(rs.getObject("first_week", LocalDate.class),
                rs.getObject("last_week", LocalDate.class), rs.getInt("weeks")))
            .one();
    }

    /** The first and last week of allocations in a raw table, and how many distinct weeks. */
    record Weeks(LocalDate first, LocalDate last, Integer count) {
    }
}
