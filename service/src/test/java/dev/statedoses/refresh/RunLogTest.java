package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The run log never says "running" for a run no process runs: a run's end is recorded when it
 * ends (later, when the warehouse was away then), and a run whose process stopped is closed as
 * abandoned by the next start or refresh of any instance, while a run another instance is still
 * doing stays running.
 */
class RunLogTest {

    private static final String ABANDONED = "abandoned: the process that ran it stopped before it finished";

    /** A run row as a process leaves it that dies mid-refresh: running, no end. */
    private static long leaveARunRunning(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery(
                "insert into dwh.refresh_runs (status, started_at) values ('running', now()) returning run_id")
            .mapTo(Long.class).one());
    }

    private static Map<String, Object> run(Jdbi jdbi, long runId) {
        return jdbi.withHandle(h -> h.createQuery(
                "select status, error, finished_at from dwh.refresh_runs where run_id = :run")
            .bind("run", runId).mapToMap().one());
    }

    private static void await(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "not within " + timeout.toSeconds() + " s: " + what);
            Thread.sleep(100);
        }
    }

    @Test
    void aRunLeftRunningByAStoppedProcessIsClosedByTheNextStart() throws Exception {
        Config config = TestWarehouse.newDatabase();
        long runId;
        try (RunningApp first = RunningApp.start(config)) {
            runId = leaveARunRunning(first.wiring().warehouse().jdbi());
        }
        try (RunningApp next = RunningApp.start(config)) {
            Jdbi jdbi = next.wiring().warehouse().jdbi();
            await("run " + runId + " closed", Duration.ofSeconds(10), () -> "failed".equals(run(jdbi, runId).get("status")));
            assertEquals(ABANDONED, run(jdbi, runId).get("error"));
            assertNotNull(run(jdbi, runId).get("finished_at"));
            next.given().get("/refreshes/" + runId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("error", org.hamcrest.Matchers.equalTo(ABANDONED));
        }
    }

    @Test
    void theNextRefreshClosesRunsLeftRunning() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            Jdbi jdbi = app.wiring().warehouse().jdbi();
            long before = leaveARunRunning(jdbi);
            long refreshed = app.given().post("/refresh").then().statusCode(200).extract().jsonPath().getLong("run_id");
            assertEquals("failed", run(jdbi, before).get("status"));
            assertEquals(ABANDONED, run(jdbi, before).get("error"));
            assertEquals("succeeded", run(jdbi, refreshed).get("status"));
        }
    }

    /** A start while another instance refreshes must not close that refresh's run: it is alive. */
    @Test
    void aRunAnotherInstanceIsDoingStaysRunningThroughAStart() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config held = ConfigBuilder.from(config).moderna(hold.url()).build();
            try (RunningApp refreshing = RunningApp.start(held)) {
                CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(
                    () -> refreshing.given().post("/refresh").statusCode());
                hold.awaitRequested();
                Jdbi jdbi = refreshing.wiring().warehouse().jdbi();
                long runId = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                    .mapTo(Long.class).one());
                try (RunningApp starting = RunningApp.start(config)) {
                    Thread.sleep(2_500); // the start looks for dead runs at once, then every second
                    assertEquals("running", run(jdbi, runId).get("status"), "a live run was closed");
                    hold.release();
                    assertEquals(200, refresh.get(30, TimeUnit.SECONDS));
                }
                assertEquals("succeeded", run(jdbi, runId).get("status"));
            } finally {
                hold.release();
            }
        }
    }

    /**
     * The warehouse goes away in the middle of a refresh: the failure cannot be recorded then, so
     * it is recorded when the warehouse is back, with its real reason; the run is never left
     * running, and never marked with a reason other than its own.
     */
    @Test
    void aFailureTheWarehouseCouldNotTakeIsRecordedWhenItIsBack() throws Exception {
        try (FixtureServer upstream = FixtureServer.start(); StoppableWarehouse warehouse = StoppableWarehouse.start()) {
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = warehouse.configure(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
            config = ConfigBuilder.from(config).moderna(hold.url()).build();
            try (RunningApp app = RunningApp.start(config)) {
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(
                    () -> app.given().post("/refresh").statusCode());
                hold.awaitRequested();
                long runId = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                    .mapTo(Long.class).one());
                warehouse.stop();
                hold.release();
                int status = refresh.get(60, TimeUnit.SECONDS);
                assertTrue(status == 503 || status == 500, "status " + status);
                warehouse.restart();
                await("run " + runId + " recorded as failed", Duration.ofSeconds(30), () -> {
                    try {
                        return "failed".equals(run(jdbi, runId).get("status"));
                    } catch (RuntimeException stillStarting) {
                        return false;
                    }
                });
                Map<String, Object> failed = run(jdbi, runId);
                assertNotNull(failed.get("finished_at"));
                String error = (String) failed.get("error");
                assertFalse(error.startsWith("abandoned"), error);
                assertFalse(error.isBlank(), error);
            } finally {
                hold.release();
            }
        }
    }
}
