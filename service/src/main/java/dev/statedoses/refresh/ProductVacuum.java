package dev.statedoses.refresh;

import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.Sql;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vacuums the tables a refresh leaves dead rows in, in the background, once it has ended. A refresh
 * replaces the product with a delete and an insert, so that analysts reading it meanwhile see the
 * old one (a truncate would hold them off, and show an empty table to a transaction begun before
 * it): each leaves the old rows dead, 1,428 in dwh.state_doses_weekly at the real size, and a
 * refused one its own. Autovacuum reclaims them where it runs; on a server with
 * {@code autovacuum = off}, after 816 refreshes the weekly table took 84 MB for its 1,428 rows
 * and a refresh about 420 ms instead of 230 (PROGRESS.md, 2026-12-05). The vacuum takes a few
 * milliseconds at the real size, after the refresh's answer, on a connection of the pool; it
 * never waits for another session's lock (sql/vacuum_product.sql). One runs at a time, and at
 * most one more waits: a refresh that ends while one waits adds nothing. A vacuum that fails
 * (the warehouse away, a table dropped) is only logged at DEBUG: the product is whole either way,
 * and the next refresh tries again. On tables the login does not own, PostgreSQL skips them. Then
 * the system catalogs the refresh's temporary tables and analyze churn (sql/vacuum_catalogs.sql):
 * with autovacuum off they grew by about 23 KB a refresh.
 */
final class ProductVacuum implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductVacuum.class);
    private static final String VACUUM = Sql.load("vacuum_product.sql");
    private static final String VACUUM_CATALOGS = Sql.load("vacuum_catalogs.sql");
    /** How long a close waits for a vacuum under way (a few ms at the real size). */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Jdbi jdbi;
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(1), DaemonThreads.named("product-vacuum"), new ThreadPoolExecutor.DiscardPolicy());

    ProductVacuum(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** After a refresh has ended (committed, or its failure recorded): vacuums soon. */
    void request() {
        worker.execute(this::vacuum);
    }

    private void vacuum() {
        vacuumQuietly(jdbi, VACUUM, LOG, "vacuuming the product's tables after a refresh");
        vacuumQuietly(jdbi, VACUUM_CATALOGS, LOG, "vacuuming the system catalogs a refresh churns");
    }

    /**
     * Runs {@code vacuum}, a VACUUM statement, on a connection of the pool. A vacuum only gives
     * room back; one that fails (the warehouse away, a table dropped) costs nothing that has
     * committed, so it is logged at DEBUG, as {@code what}, and never thrown: the next one tries
     * again.
     */
    static void vacuumQuietly(Jdbi jdbi, String vacuum, Logger log, String what) {
        try {
            jdbi.useHandle(h -> h.execute(vacuum));
        } catch (RuntimeException e) {
            log.debug("{} failed: {}", what, e.getMessage());
        }
    }

    /** Drops a vacuum that waits, and lets one under way end (it holds a connection of the pool). */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.debug("a vacuum of the product's tables was still running at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
