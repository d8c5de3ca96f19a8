package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Wiring;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.TestWarehouse;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh answers once it has committed; this instance's snapshot reloads on a thread of its own
 * (ProductCache). A read sent after the refresh's answer must still see the refreshed product, by
 * every path that reads the snapshot; and a reload stuck in the warehouse must not hold the reads
 * for longer than ProductCache.READ_WAIT.
 */
class ReadAfterRefreshTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void eachReadAfterARefreshSeesItsProduct() {
        Jdbi warehouse = TestWarehouse.jdbi(loaded.config());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            long runId = loaded.given().post("/refresh?force=true").then().statusCode(200)
                .extract().jsonPath().getLong("run_id");
            // What the warehouse holds now, as committed before the answer.
            String committed = warehouse.withHandle(h -> h.createQuery(
                    "select refreshed_at from dwh.state_doses where state_code = 'NY' and run_id = :run")
                .bind("run", runId).mapTo(Instant.class).one()).toString();
            assertTrue(seen.add(committed), "two refreshes gave one refreshed_at: " + committed);

            // Jetty's fast path, the routes (a query string), the CSV form, the health report.
            assertEquals(committed, Instant.parse(loaded.given().get("/ratios/NY").then().statusCode(200)
                .extract().jsonPath().getString("refreshed_at")).toString(), "fast path, refresh " + i);
            assertEquals(committed, Instant.parse(loaded.given().get("/ratios?sort=state_code&order=desc")
                .then().statusCode(200).extract().jsonPath().getString("find { it.state_code == 'NY' }.refreshed_at"))
                .toString(), "routes, refresh " + i);
            String csv = loaded.given().accept("text/csv").get("/ratios/NY").then().statusCode(200)
                .extract().asString();
            assertTrue(csv.contains(committed.substring(0, 19)), "CSV, refresh " + i + ": " + csv);
        }
    }

    @Test
    void aReloadStuckInTheWarehouseHoldsReadsForAtMostTheReadWait() throws Exception {
        ProductCache cache = new ProductCache(loaded.app().wiring().ratios(), new ProductResponse(Wiring.objectMapper()));
        try (cache) {
            cache.reload();
            Instant before = cache.current().refreshedAt();
            long runId = loaded.given().post("/refresh?force=true").then().statusCode(200)
                .extract().jsonPath().getLong("run_id");

            Jdbi warehouse = TestWarehouse.jdbi(loaded.config());
            try (Handle analyst = warehouse.open()) {
                // An analyst's lock: the reload's read of the product waits behind it.
                analyst.begin();
                analyst.execute("lock table dwh.state_doses in access exclusive mode");
                cache.reloadSoonFor(runId);

                long start = System.nanoTime();
                assertEquals(before, cache.current().refreshedAt(), "the reload cannot be in: the table is locked");
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMs >= ProductCache.READ_WAIT.toMillis() - 50,
                    "a read right after the refresh must wait for its reload; it waited " + waitedMs + " ms");

                // Given up on: the next reads answer at once, from the snapshot as it is.
                start = System.nanoTime();
                assertEquals(before, cache.current().refreshedAt());
                waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMs < ProductCache.READ_WAIT.toMillis() / 2,
                    "a stuck reload held a second read for " + waitedMs + " ms");
                analyst.rollback();
            }

            // The lock gone, the reload gets in.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (before.equals(cache.current().refreshedAt()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Instant after = cache.current().refreshedAt();
            assertNotEquals(before, after);
            assertEquals(warehouse.withHandle(h -> h.createQuery(
                    "select refreshed_at from dwh.state_doses where state_code = 'NY'").mapTo(Instant.class).one()),
                after);
        }
    }

    /**
     * The product of this instance's own refresh is read in the refresh's transaction, before its
     * commit, and swapped in after it without asking the warehouse again. Read after the commit,
     * a warehouse gone in between (stopped, the connection cut) left the old product served, or
     * "no data" before the first, while the run said succeeded, until the warehouse was back. Here
     * an analyst's lock, taken once the transaction committed, stands for that warehouse: the
     * snapshot holds the committed product at once, the lock still held.
     */
    @Test
    void theCommittedProductIsServedWithoutAskingTheWarehouseAgain() {
        ProductCache cache = new ProductCache(loaded.app().wiring().ratios(), new ProductResponse(Wiring.objectMapper()));
        Jdbi warehouse = TestWarehouse.jdbi(loaded.config());
        try (cache) {
            cache.reload();
            Instant before = cache.current().refreshedAt();
            long runId = loaded.given().post("/refresh?force=true").then().statusCode(200)
                .extract().jsonPath().getLong("run_id");

            ProductCache.HeldReads held;
            Instant committed;
            try (Handle tx = warehouse.open()) {
                tx.begin();
                // The refresh's product, an hour on: what this transaction commits.
                tx.execute("update dwh.state_doses set refreshed_at = refreshed_at + interval '1 hour'");
                committed = tx.createQuery("select refreshed_at from dwh.state_doses where state_code = 'NY'")
                    .mapTo(Instant.class).one();
                held = cache.holdReads(tx);
                tx.commit();
            }
            assertNotEquals(before, committed);
            try (Handle analyst = warehouse.open()) {
                analyst.begin();
                analyst.execute("lock table dwh.state_doses in access exclusive mode");
                long start = System.nanoTime();
                held.reloadFor(runId);
                assertEquals(committed, cache.current().refreshedAt(), "the committed product, the warehouse locked");
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMs < ProductCache.READ_WAIT.toMillis() / 2,
                    "the snapshot waited " + waitedMs + " ms for the warehouse");
                assertEquals(51, cache.current().rows().size());
                analyst.rollback();
            }
        } finally {
            // The app's own snapshot did not hear of the hand-made product: a refresh puts both straight.
            loaded.given().post("/refresh?force=true").then().statusCode(200);
        }
    }
}
