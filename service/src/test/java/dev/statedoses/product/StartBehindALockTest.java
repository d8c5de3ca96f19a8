package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Wiring;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.warehouse.WarehouseLockedException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The start's first read of the product, behind another session's lock on it (an owner's
 * {@code LOCK TABLE}, a {@code VACUUM FULL}, an {@code ALTER} left in an open transaction). It
 * waited as long as the lock was held, the port closed and the log silent: an orchestrator's
 * liveness probe restarts such a process, again and again. It now names the session in the log
 * and waits a bounded time, then gives up naming it; a lock let go of within the wait lets the
 * start go on.
 */
class StartBehindALockTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    private static ProductCache cache() {
        return new ProductCache(loaded.app().wiring().ratios(), new ProductResponse(Wiring.objectMapper()));
    }

    private static Warehouse warehouse() {
        return loaded.app().wiring().warehouse();
    }

    @Test
    void aLockHeldPastTheWaitIsNamed() {
        Jdbi jdbi = TestWarehouse.jdbi(loaded.config());
        try (Handle analyst = jdbi.open(); ProductCache cache = cache()) {
            analyst.execute("set application_name = 'analyst psql'");
            int pid = analyst.createQuery("select pg_backend_pid()").mapTo(Integer.class).one();
            analyst.begin();
            analyst.execute("lock table dwh.state_doses_weekly in access exclusive mode");
            long started = System.nanoTime();
            WarehouseLockedException e = assertThrows(WarehouseLockedException.class, () -> cache.loadAtStart(
                Duration.ofMillis(200), Duration.ofSeconds(1),
                () -> warehouse().describeLockHolders("dwh.state_doses", "dwh.state_doses_weekly")));
            long waited = (System.nanoTime() - started) / 1_000_000;
            analyst.rollback();
            assertEquals("cannot read the product from the warehouse: a lock on dwh.state_doses (or "
                + "dwh.state_doses_weekly) is still held after 1 s by pid " + pid + " (login postgres, application "
                + "'analyst psql'). End that session or let it finish (a superuser may end it: select "
                + "pg_terminate_backend(<pid>)), then start again", e.getMessage());
            assertTrue(waited >= 900 && waited < 5_000, "waited " + waited + " ms");
            assertTrue(cache.current().isEmpty(), "nothing was installed");
        }
    }

    @Test
    void aStartWhoseLockIsLetGoOfWithinTheWaitServesTheProduct() throws Exception {
        String served = loaded.given().get("/ratios").asString();
        Instant refreshedAt = loaded.app().wiring().product().current().refreshedAt();
        Jdbi jdbi = TestWarehouse.jdbi(loaded.config());
        try (Handle analyst = jdbi.open()) {
            analyst.begin();
            analyst.execute("lock table dwh.state_doses in access exclusive mode");
            long started = System.nanoTime();
            // The real start, through the wiring: it waits past the first 2 s, then reads.
            CompletableFuture<RunningApp> start = CompletableFuture.supplyAsync(() -> RunningApp.start(loaded.config()));
            Thread.sleep(3_000);
            assertTrue(!start.isDone(), "the start did not wait for the lock");
            analyst.rollback();
            try (RunningApp app = start.get()) {
                long waited = (System.nanoTime() - started) / 1_000_000;
                assertTrue(waited >= 3_000, "waited " + waited + " ms");
                assertEquals(refreshedAt, app.wiring().product().current().refreshedAt());
                assertEquals(served, app.given().get("/ratios").asString());
            }
        }
    }
}
