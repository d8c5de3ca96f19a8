package dev.statedoses.product;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.BoundedReads;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A read that needs the warehouse ({@code as_of}, the run log) waits at most
 * {@link BoundedReads#LOCK_WAIT} behind a lock an analyst's session holds on what it reads, then
 * answers 503 and gives its connection back. Unbounded, eight {@code as_of} reads held the pool's
 * eight connections for as long as the lock was held (20 to 29 s when first seen), and the
 * service then took the busy pool for an outage: {@code /health} said the warehouse was down,
 * {@code POST /refresh} was refused, and more reads waited 3 s for a 503.
 */
class ReadsBehindALockTest {

    private static final int READS = 16; // twice the pool's connections

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void asOfReadsBehindALockOnTheWeeksAnswer503AndTheServiceStaysUp() throws Exception {
        String before = loaded.given().get("/ratios/NY?as_of=2021-01-04").then().statusCode(200).extract().asString();
        try (Handle analyst = TestWarehouse.jdbi(loaded.config()).open()) {
            analyst.begin();
            analyst.execute("lock table dwh.state_doses_weekly in access exclusive mode");
            allRefused(List.of("/ratios?as_of=2021-01-04", "/ratios/NY?as_of=2021-01-04"));
            // The lock still held: the warehouse is up, the run log read, the product served.
            loaded.given().get("/health").then().statusCode(200).body("warehouse", equalTo("up"));
            loaded.given().get("/refreshes/1").then().statusCode(200).body("status", equalTo("succeeded"));
            loaded.given().get("/ratios/NY").then().statusCode(200);
            analyst.rollback();
        }
        assertEquals(before, loaded.given().get("/ratios/NY?as_of=2021-01-04").then().statusCode(200).extract().asString());
    }

    @Test
    void runLogReadsBehindALockAnswer503AndHealthSaysTheWarehouseIsUp() throws Exception {
        try (Handle analyst = TestWarehouse.jdbi(loaded.config()).open()) {
            analyst.begin();
            analyst.execute("lock table dwh.refresh_runs in access exclusive mode");
            allRefused(List.of("/refreshes", "/refreshes/1"));
            // The check cannot read the run log: not ready, but not an outage either.
            loaded.given().get("/health").then().statusCode(503)
                .body("status", equalTo("unavailable"))
                .body("warehouse", equalTo("up"))
                .body("product", equalTo("unknown"))
                .body("reason", equalTo("another session's lock kept the check from reading the product or the "
                    + "run log for 1 s"));
            assertTrue(loaded.given().get("/metrics").asString().contains("state_doses_warehouse_up{application=\"state-doses\"} 1.0"));
            loaded.given().get("/ratios?as_of=2021-01-04").then().statusCode(200);
            analyst.rollback();
        }
        loaded.given().get("/health").then().statusCode(200).body("warehouse", equalTo("up"));
        loaded.given().get("/refreshes/1").then().statusCode(200).body("status", containsString("succeeded"));
    }

    /** {@link #READS} reads of {@code paths} at once: each a 503 naming the lock, all far sooner than the lock ends. */
    private static void allRefused(List<String> paths) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(READS);
        try {
            long start = System.nanoTime();
            List<Future<Response>> reads = new ArrayList<>();
            for (int i = 0; i < READS; i++) {
                String path = paths.get(i % paths.size());
                reads.add(clients.submit(() -> loaded.given().get(path)));
            }
            for (Future<Response> read : reads) {
                // Bounded too: unbounded, the reads would wait for the lock, which is held until the test ends.
                Response answer = read.get(30, TimeUnit.SECONDS);
                assertEquals(503, answer.statusCode(), answer.asString());
                assertEquals("10", answer.header("Retry-After"));
                assertEquals("/problems/warehouse-unavailable", answer.jsonPath().getString("type"));
                assertTrue(answer.jsonPath().getString("detail").contains("lock_timeout"), answer.asString());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // Two rounds of the pool's eight, each its lock wait: the lock itself is held until the test ends.
            assertTrue(took.compareTo(BoundedReads.LOCK_WAIT.multipliedBy(READS / 8 + 2)) < 0,
                READS + " reads behind the lock took " + took);
        } finally {
            clients.shutdownNow();
        }
    }
}
