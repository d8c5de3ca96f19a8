package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.statedoses.support.LoadedProduct;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every refresh deletes the product and inserts it again, leaving the old rows dead; on a server
 * whose autovacuum is off nothing reclaimed them, and dwh.state_doses_weekly grew with every
 * refresh (84 MB for 1,428 rows after 816), the refresh slowing with it. The service now vacuums
 * the tables after each refresh (ProductVacuum), never waiting behind another session's lock.
 */
class ProductVacuumTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void theProductsTablesStayTheirSizeOverManyRefreshes() {
        Jdbi warehouse = loaded.jdbi();
        refreshAndAwaitVacuum(warehouse, "dwh.state_doses_weekly");
        long weeklyRows = warehouse.withHandle(h -> h.createQuery("select count(*) from dwh.state_doses_weekly")
            .mapTo(Long.class).one());
        long firstBytes = bytes(warehouse, "dwh.state_doses_weekly");
        long firstProduct = bytes(warehouse, "dwh.state_doses");
        // Every run's end updates its status's row of the run totals (a trigger): a dead row each.
        long totalsVacuums = vacuumCount(warehouse, "dwh.refresh_run_totals");
        for (int i = 0; i < 20; i++) {
            refreshAndAwaitVacuum(warehouse, "dwh.state_doses_weekly");
        }
        long lastBytes = bytes(warehouse, "dwh.state_doses_weekly");
        // Each refresh left weeklyRows dead rows: 20 refreshes unvacuumed take 20 times the room.
        // Vacuumed, the freed room is used again: at most the product twice, and a page either side.
        assertTrue(lastBytes <= 2 * firstBytes + 2 * 8192,
            "dwh.state_doses_weekly (" + weeklyRows + " rows) grew from " + firstBytes + " to " + lastBytes
                + " bytes over 20 refreshes");
        assertTrue(bytes(warehouse, "dwh.state_doses") <= 2 * firstProduct + 2 * 8192,
            "dwh.state_doses grew from " + firstProduct + " to " + bytes(warehouse, "dwh.state_doses") + " bytes");
        long totalsVacuumed = vacuumCount(warehouse, "dwh.refresh_run_totals") - totalsVacuums;
        assertTrue(totalsVacuumed >= 19, "dwh.refresh_run_totals vacuumed " + totalsVacuumed + " times in 20 refreshes");
        assertEquals(weeklyRows, (long) warehouse.withHandle(h -> h.createQuery(
            "select count(*) from dwh.state_doses_weekly").mapTo(Long.class).one()));
    }

    @Test
    void aTableAnotherSessionLocksIsSkippedNotWaitedFor() throws Exception {
        Jdbi warehouse = loaded.jdbi();
        refreshAndAwaitVacuum(warehouse, "dwh.state_doses");
        try (Handle analyst = warehouse.open()) {
            analyst.begin();
            // A lock VACUUM needs, and a refresh's delete and insert do not: the refresh goes on.
            analyst.execute("lock table dwh.state_doses_weekly in share update exclusive mode");
            long weeklyBefore = vacuumCount(warehouse, "dwh.state_doses_weekly");
            refreshAndAwaitVacuum(warehouse, "dwh.state_doses");
            // Given a moment, nothing of the service waits behind the lock, and the locked table
            // was left for the next refresh.
            Thread.sleep(300);
            List<String> waiting = warehouse.withHandle(h -> h.createQuery(
                    "select query from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid() "
                        + "and application_name = 'state-doses'")
                .mapTo(String.class).list());
            assertEquals(List.of(), waiting, "sessions of the service waiting for a lock");
            assertEquals(weeklyBefore, vacuumCount(warehouse, "dwh.state_doses_weekly"), "the locked table was vacuumed");
            analyst.rollback();
        }
        // The lock gone, the next refresh's vacuum takes the table.
        refreshAndAwaitVacuum(warehouse, "dwh.state_doses_weekly");
    }

    /**
     * The system catalogs each refresh's temporary tables leave dead rows in (about 110 rows of
     * pg_attribute a full refresh): with autovacuum off the database grew by about 23 KB a refresh
     * for ever, 13 MB of catalogs after 492 refreshes. Vacuumed after each refresh, their room is
     * used again. (The test's login owns its database, as a service's usually does.)
     */
    @Test
    void theCatalogsRefreshesChurnStayTheirSize() {
        Jdbi warehouse = loaded.jdbi();
        refreshAndAwaitVacuum(warehouse, "pg_catalog.pg_attribute");
        long first = bytes(warehouse, "pg_catalog.pg_attribute");
        for (int i = 0; i < 20; i++) {
            refreshAndAwaitVacuum(warehouse, "pg_catalog.pg_attribute");
        }
        long last = bytes(warehouse, "pg_catalog.pg_attribute");
        // 20 refreshes unvacuumed leave about 2,200 dead rows: some 35 pages more.
        assertTrue(last <= first + 4 * 8192, "pg_attribute grew from " + first + " to " + last
            + " bytes over 20 refreshes");
    }

    /** One forced refresh, then waits until {@code table} has been vacuumed since it began. */
    private static void refreshAndAwaitVacuum(Jdbi warehouse, String table) {
        long before = vacuumCount(warehouse, table);
        loaded.app().given().post("/refresh?force=true").then().statusCode(200);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (vacuumCount(warehouse, table) == before) {
            if (System.nanoTime() > deadline) {
                fail(table + " was not vacuumed within 10 s of a refresh");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** How many times {@code table} (the service's or a system catalog) has been vacuumed by hand. */
    private static long vacuumCount(Jdbi warehouse, String table) {
        return warehouse.withHandle(h -> h.createQuery(
                "select vacuum_count from pg_stat_all_tables where relid = cast(:table as regclass)")
            .bind("table", table).mapTo(Long.class).one());
    }

    private static long bytes(Jdbi warehouse, String table) {
        return warehouse.withHandle(h -> h.createQuery("select pg_relation_size(cast(:table as regclass))")
            .bind("table", table).mapTo(Long.class).one());
    }
}
