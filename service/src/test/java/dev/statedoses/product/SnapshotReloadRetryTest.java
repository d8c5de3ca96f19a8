package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Wiring;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot's reload that the warehouse cut off (a connection terminated, a failover, a pooler
 * restarting) at the moment a product was committed is tried again until it is in. Each instance
 * reloads once per product, the refreshing one after its commit and the others on its NOTIFY,
 * which is not sent twice: one lost reload left the old product served on every read, while
 * {@code as_of} reads answered the new one and /health said all was well, until the next product.
 */
class SnapshotReloadRetryTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void aReloadCutOffIsTriedAgainUntilTheProductIsIn() throws Exception {
        ProductCache afterOwnRefresh = cache();
        ProductCache onNotify = cache();
        try (afterOwnRefresh; onNotify) {
            Instant before = afterOwnRefresh.current().refreshedAt();
            long runId = loaded.given().post("/refresh?force=true").then().statusCode(200)
                .extract().jsonPath().getLong("run_id");
            Jdbi warehouse = TestWarehouse.jdbi(loaded.config());
            Instant built = warehouse.withHandle(h -> h.createQuery(
                    "select refreshed_at from dwh.state_doses where run_id = :run limit 1")
                .bind("run", runId).mapTo(Instant.class).one());
            assertNotEquals(before, built);

            CompletableFuture<Void> notified;
            try (Handle analyst = warehouse.open()) {
                // Both reloads wait behind an analyst's lock, where their connections are cut off.
                analyst.begin();
                analyst.execute("lock table dwh.state_doses in access exclusive mode");
                afterOwnRefresh.reloadSoonFor(runId);
                notified = CompletableFuture.runAsync(() -> onNotify.reloadOrRetry(false));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                long cut = 0;
                while (cut < 2) {
                    assertTrue(System.nanoTime() < deadline, "the reloads did not wait behind the lock: " + cut);
                    cut += analyst.createQuery("""
                            select count(pg_terminate_backend(pid)) from pg_stat_activity
                            where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'""")
                        .mapTo(Long.class).one();
                    Thread.sleep(20);
                }
                analyst.rollback();
            }
            notified.get();

            awaitProduct(afterOwnRefresh, built, "after the refresh's own reload was cut off");
            awaitProduct(onNotify, built, "after the reload on NOTIFY was cut off");
        }
    }

    private static ProductCache cache() {
        ProductCache cache = new ProductCache(loaded.app().wiring().ratios(), new ProductResponse(Wiring.objectMapper()));
        cache.reload();
        return cache;
    }

    /** Until {@code cache} holds the product built at {@code built} (at most 20 s). */
    private static void awaitProduct(ProductCache cache, Instant built, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!built.equals(cache.current().refreshedAt()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(built, cache.current().refreshedAt(), what);
    }
}
