package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two service instances on one warehouse: one refresh at a time, and readers never see a half-built product. */
class ConcurrentRefreshTest {

    private FixtureServer upstream;
    private RunningApp first;
    private RunningApp second;
    private FixtureServer.Hold heldModerna;

    @BeforeEach
    void twoInstancesOnOneWarehouse() {
        upstream = FixtureServer.start();
        heldModerna = upstream.serveHeld("/moderna.csv", Fixtures.bytes("moderna.csv"));
        Config config = ConfigBuilder.from(TestWarehouse.newDatabase()).sources(
            heldModerna.url(),
            upstream.serveFixture("/pfizer.csv", "pfizer.csv"),
            upstream.serveFixture("/County_Population.csv", "county_population.csv")).build();
        first = RunningApp.start(config);
        second = RunningApp.start(config);
    }

    @AfterEach
    void stop() {
        heldModerna.release();
        first.close();
        second.close();
        upstream.close();
    }

    @Test
    void aSecondRefreshAnywhereIsTurnedAwayWhileOneRuns() throws Exception {
        CompletableFuture<Response> running = CompletableFuture.supplyAsync(() -> first.given().post("/refresh"));
        heldModerna.awaitRequested();

        // Another instance: the warehouse's row lock (dwh.refresh_lock) says no.
        second.given().post("/refresh").then()
            .statusCode(409).contentType("application/problem+json")
            .header("Retry-After", "10")
            .body("type", equalTo("/problems/refresh-running"))
            // Turned away before any run of its own was on record: it names none (the running
            // one is the other's).
            .body("run_id", nullValue())
            .body("instance", nullValue());
        // The same instance: its own lock says no, without a warehouse round trip.
        first.given().post("/refresh").then().statusCode(409).header("Retry-After", "10")
            .body("run_id", nullValue());
        second.given().get("/ratios").then().statusCode(200).body(equalTo("[]"));
        heldModerna.release();
        running.get(30, TimeUnit.SECONDS).then().statusCode(200).body("state_rows", equalTo(51));
        // force: the same sources would otherwise be found unchanged, and build nothing.
        second.given().queryParam("force", "true").post("/refresh").then().statusCode(200);

        List<String> statuses = first.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
            "select status from dwh.refresh_runs order by run_id").mapTo(String.class).list());
        assertEquals(List.of("succeeded", "succeeded"), statuses, "a turned-away caller starts no run");
    }

    @Test
    void readersSeeTheWholeOldOrTheWholeNewProductThroughout() throws Exception {
        heldModerna.release();
        first.given().post("/refresh").then().statusCode(200);
        // The other instance serves it once the NOTIFY has reached it (about a second): until then
        // it serves the empty product it started with, which is whole too, but not what is read here.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (second.given().get("/ratios").jsonPath().getList("$").size() != 51) {
            assertTrue(System.nanoTime() < deadline, "the other instance did not load the product within 10 s");
            Thread.sleep(50);
        }

        AtomicBoolean refreshing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Set<String> productsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ExecutorService readers = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            RunningApp app = i % 2 == 0 ? first : second;
            readers.submit(() -> {
                while (refreshing.get()) {
                    Response response = app.given().get("/ratios");
                    reads.incrementAndGet();
                    if (response.statusCode() != 200) {
                        problems.add("status " + response.statusCode() + ": " + response.asString());
                        continue;
                    }
                    List<Map<String, Object>> rows = response.jsonPath().getList("$");
                    Set<Object> builds = new HashSet<>();
                    rows.forEach(row -> builds.add(row.get("refreshed_at")));
                    if (rows.size() != 51 || builds.size() != 1) {
                        problems.add(rows.size() + " rows from " + builds.size() + " builds");
                    }
                    productsSeen.addAll(builds.stream().map(Object::toString).toList());
                }
            });
        }
        List<Integer> refreshStatuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // force: each one builds a new product from the same sources, for the readers to see.
            refreshStatuses.add((i % 2 == 0 ? second : first).given().queryParam("force", "true").post("/refresh")
                .statusCode());
        }
        refreshing.set(false);
        readers.shutdown();
        assertTrue(readers.awaitTermination(30, TimeUnit.SECONDS));

        assertEquals(List.of(200, 200, 200, 200, 200, 200), refreshStatuses);
        assertEquals(List.of(), List.copyOf(problems), "every read was a whole product");
        assertTrue(reads.get() > 20, "readers kept reading: " + reads.get());
        assertTrue(productsSeen.size() >= 2, "readers saw products change: " + productsSeen.size());
    }
}
