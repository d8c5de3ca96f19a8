package dev.statedoses.product;

import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the data product, {@code dwh.state_doses}, and its weeks, {@code dwh.state_doses_weekly}. */
public final class RatioRepository {

    private static final Logger LOG = LoggerFactory.getLogger(RatioRepository.class);
    /** The savepoint a read of the product in the refresh's own transaction goes back to if it fails. */
    private static final String PRODUCT_READ = "product_read";

    private static final String COLUMNS = """
        select state, state_code, population, doses_moderna, doses_pfizer, doses_total,
               people_per_dose, refreshed_at
        from dwh.state_doses""";

    /** The rows as of {@code :as_of}; its columns are named as in {@link #COLUMNS}, the table is {@code s}. */
    private static final String AS_OF = Sql.load("state_doses_as_of.sql").strip();
    private static final String WEEKLY = Sql.load("state_doses_weekly.sql");

    private static final String WEEKLY_ROWS = "select count(*) from dwh.state_doses_weekly";
    private static final String PRODUCT_RUN = "select coalesce(max(run_id), -1) from dwh.state_doses";
    private static final String DATE_ALONE = Sql.load("product_date_alone.sql");

    private final Jdbi jdbi;

    public RatioRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every row, by state name (byte order, so the order is the same on every server). */
    public List<StateRatio> all() {
        return jdbi.withHandle(h -> h.createQuery(COLUMNS + " order by state collate \"C\"")
            .map((rs, ctx) -> row(rs))
            .list());
    }


    /** Every row as it was with the allocations of the weeks up to and including {@code asOf}. */
    public List<StateRatio> allAsOf(LocalDate asOf) {
        return BoundedReads.read(jdbi, h -> h.createQuery(AS_OF + "\norder by s.state collate \"C\"")
            .bind("as_of", asOf)
            .map((rs, ctx) -> row(rs))
            .list());
    }

    /** {@link #find} as of {@code asOf}: the allocations of the weeks up to and including it. */
    public Optional<StateRatio> findAsOf(String codeOrName, LocalDate asOf) {
        return BoundedReads.read(jdbi, h -> h.createQuery(AS_OF
                + "\nwhere s.state_code = upper(:key collate \"C\")"
                // Folded as ASCII, whatever the database's collation: under ICU's tr-TR, lower('I')
                // is a dotless 'ı', and /ratios/illinois?as_of=... was no state.
                + " or lower(s.state collate \"C\") = lower(:key collate \"C\")")
            .bind("as_of", asOf)
            .bind("key", codeOrName)
            .map((rs, ctx) -> row(rs))
            .findFirst());
    }

    /**
     * The product and every state's weeks, as one snapshot keeps them, the refresh run that built
     * them (-1: none), and whether no other product was built at or after the start of its
     * refreshed_at's second, so that its Last-Modified names it alone ({@link LastModified}).
     */
    public record Product(List<StateRatio> rows, Map<String, WeeklySeries> weeksByState, long runId,
                          boolean dateAlone) {
    }

    /** The refresh run that built the product in the warehouse now (-1: none yet). */
    public long productRun() {
        return jdbi.withHandle(h -> h.createQuery(PRODUCT_RUN).mapTo(Long.class).one());
    }

    /**
     * The product's rows and every state's weeks, read in one transaction (repeatable read), so
     * that both are of the same refresh even while another one commits; and, in it, whether the
     * product's Last-Modified names it alone (sql/product_date_alone.sql).
     */
    public Product product() {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, this::product);
    }

    /**
     * {@link #product()}, its waits for a lock bounded by {@code lockWait} (SQLSTATE 55P03 past
     * it): the start's read, which no request's answer bounds, waited as long as an owner's
     * {@code LOCK TABLE} was held, with the port closed and not a line in the log.
     */
    public Product product(Duration lockWait) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            h.execute("set local lock_timeout = '" + lockWait.toMillis() + "ms'");
            return product(h);
        });
    }

    /**
     * The product as the refresh transaction {@code tx}, about to commit, leaves it: read in it,
     * so that this process has its product without asking the warehouse again after the commit
     * (ProductCache). Behind a savepoint: a read that fails leaves the refresh to commit as it
     * would have. Empty when it fails (the heap cannot hold it, say): the reload after the commit
     * then reads it.
     */
    public Optional<Product> productIn(Handle tx) {
        tx.savepoint(PRODUCT_READ);
        try {
            Product product = product(tx);
            tx.release(PRODUCT_READ);
            return Optional.of(product);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.debug("the product could not be read before its commit ({}): it is read after it", e.getMessage());
            tx.rollbackToSavepoint(PRODUCT_READ);
            return Optional.empty();
        }
    }

    private Product product(Handle h) {
        List<StateRatio> rows = h.createQuery(COLUMNS + " order by state collate \"C\"")
            .map((rs, ctx) -> row(rs))
            .list();
        // Counted first: weeks the heap cannot hold are refused before any is read (HeapRoom).
        long count = h.createQuery(WEEKLY_ROWS).mapTo(Long.class).one();
        HeapRoom.ensure(count);
        long[] read = {0};
        WeeklySeries.Collector weeks = new WeeklySeries.Collector();
        // Streamed (a cursor, 10,000 rows at a time): at hundreds of times the real number of
        // weeks, the rows are not all held by the driver first.
        try {
            h.createQuery(WEEKLY)
                .setFetchSize(10_000)
                .scanResultSet((results, ctx) -> {
                    ResultSet rs = results.get();
                    while (rs.next()) {
                        weeks.add(rs.getString("state"), rs.getObject("week", LocalDate.class),
                            rs.getLong("doses_moderna"), rs.getLong("doses_pfizer"), rs.getLong("doses_total"),
                            rs.getBigDecimal("people_per_dose"));
                        read[0]++;
                    }
                    return null;
                });
        } catch (OutOfMemoryError e) {
            // The weeks read so far are garbage once this unwinds: the message has room.
            throw HeapRoom.ranOut(count, read[0], e);
        }
        long runId = h.createQuery(PRODUCT_RUN).mapTo(Long.class).one();
        boolean dateAlone = rows.isEmpty() || h.createQuery(DATE_ALONE)
            .bind("second", rows.get(0).refreshedAt().truncatedTo(ChronoUnit.SECONDS))
            .bind("run", runId)
            .mapTo(Boolean.class).one();
        return new Product(rows, weeks.byState(), runId, dateAlone);
    }

    private static StateRatio row(ResultSet rs) throws SQLException {
        return new StateRatio(
            rs.getString("state"),
            rs.getString("state_code"),
            rs.getLong("population"),
            rs.getLong("doses_moderna"),
            rs.getLong("doses_pfizer"),
            rs.getLong("doses_total"),
            rs.getBigDecimal("people_per_dose"),
            rs.getTimestamp("refreshed_at").toInstant());
    }
}
