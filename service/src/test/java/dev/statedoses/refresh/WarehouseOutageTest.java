package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warehouse stops under a running service and starts again: meanwhile the product is still
 * served from memory, everything that needs the warehouse answers 503 promptly, and afterwards
 * the service works again with no restart and no data lost.
 */
class WarehouseOutageTest {


    @Test
    void theProductStaysReadableWhileTheWarehouseIsDownAndTheServiceRecovers() throws Exception {
        StoppableWarehouse.withRefreshedApp((warehouse, app) -> {
            String product = app.given().get("/ratios").asString();

            warehouse.stop();
            // The product is served from memory: it stays readable, exactly as it was.
            app.given().get("/ratios").then().statusCode(200).body(equalTo(product));
            app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
            // So are its weeks: 2 weeks of New York, 51 states x 2 weeks in all.
            app.given().get("/ratios/NY/weekly").then().statusCode(200).body("doses_total[1]", equalTo(7500));
            app.given().get("/ratios/weekly").then().statusCode(200).body("size()", equalTo(102));
            // What needs the warehouse says so, promptly.
            for (String path : new String[] {"/ratios?as_of=2021-01-01", "/refreshes"}) {
                Instant start = Instant.now();
                app.given().get(path).then()
                    .statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "10")
                    .body("type", equalTo("/problems/warehouse-unavailable"));
                Duration took = Duration.between(start, Instant.now());
                assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, path + " hung for " + took);
            }
            app.given().post("/refresh").then()
                .statusCode(503).body("type", equalTo("/problems/warehouse-unavailable"));

            warehouse.restart();
            Response again = null;
            for (int attempt = 0; attempt < 40; attempt++) {
                again = app.given().get("/ratios?as_of=2021-01-04");
                if (again.statusCode() == 200) {
                    break;
                }
                Thread.sleep(250);
            }
            assertEquals(200, again.statusCode(), "the service did not recover: " + again.asString());
            assertEquals(product, again.asString(), "the product survived the outage");
            app.given().queryParam("force", "true").post("/refresh").then().statusCode(200);
            app.given().get("/ratios").then().statusCode(200).body(not(equalTo(product))); // a new build
        });
    }

    /**
     * The connection is lost during the refresh's commit, after the server wrote it (as in a
     * failover, or a restart between the commit and its answer): here the server waits for a
     * standby that never comes, with the commit written, and its session is ended. The commit
     * went through, and the service says so: the answer is the success, the run log keeps the
     * run as succeeded with its sources and checks, and the instance serves its product. Before,
     * the refresh answered 503 and was recorded as failed over its own success, its sources
     * refused as a duplicate, while the new product was the warehouse's.
     */
    @Test
    void aRefreshWhoseConnectionIsLostAfterItsCommitIsWrittenIsTheSuccessItWas() throws Exception {
        try (StoppableWarehouse warehouse = StoppableWarehouse.start(); FixtureServer upstream = FixtureServer.start()) {
            // The embedded server's own default is not to wait for anything at commit.
            try (Connection admin = DriverManager.getConnection(warehouse.jdbcUrl("postgres"), "postgres", "");
                 Statement sql = admin.createStatement()) {
                sql.execute("alter database postgres set synchronous_commit = on");
            }
            try (RunningApp app = RunningApp.start(upstream.serveFixtureSources(
                    warehouse.configure(TestWarehouse.newDatabase())))) {
                app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
                losingTheConnectionInTheCommit(warehouse, app);
            }
        }
    }

    private static void losingTheConnectionInTheCommit(StoppableWarehouse warehouse, RunningApp app) throws Exception {
        String before = app.given().get("/ratios").then().statusCode(200).extract().header("ETag");
        try (Connection admin = DriverManager.getConnection(warehouse.jdbcUrl("postgres"), "postgres", "");
             Statement sql = admin.createStatement()) {
            CompletableFuture<Response> refresh;
            try {
                sql.execute("alter system set synchronous_standby_names = 'nobody'");
                sql.execute("select pg_reload_conf()");
                refresh = CompletableFuture.supplyAsync(
                    () -> app.given().queryParam("force", "true").post("/refresh"));
                int pid = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (pid == 0) {
                    assertTrue(System.nanoTime() < deadline, "the refresh never waited in its commit: "
                        + (refresh.isDone() ? refresh.get().asString() : "still running"));
                    try (ResultSet waiting = sql.executeQuery(
                            "select pid from pg_stat_activity where wait_event = 'SyncRep'")) {
                        pid = waiting.next() ? waiting.getInt(1) : 0;
                    }
                    Thread.sleep(pid == 0 ? 20 : 0);
                }
                sql.execute("select pg_terminate_backend(" + pid + ")");
            } finally {
                sql.execute("alter system reset synchronous_standby_names");
                sql.execute("select pg_reload_conf()");
            }
            Response answered = refresh.get(60, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.asString());
            assertEquals("succeeded", answered.jsonPath().getString("status"));
            long runId = answered.jsonPath().getLong("run_id");
            try (ResultSet run = sql.executeQuery("select r.status, r.error, (select count(*) from "
                    + "dwh.refresh_run_sources s where s.run_id = r.run_id), (select max(run_id) from "
                    + "dwh.state_doses) from dwh.refresh_runs r where r.run_id = " + runId)) {
                assertTrue(run.next());
                assertEquals("succeeded", run.getString(1));
                assertEquals(null, run.getString(2));
                assertEquals(3, run.getInt(3), "its three sources");
                assertEquals(runId, run.getLong(4), "the product is the run's");
            }
            app.given().get("/refreshes/" + runId).then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("sources.size()", equalTo(3));
        }
        String after = app.given().get("/ratios").then().statusCode(200).extract().header("ETag");
        assertNotEquals(before, after, "the instance serves the new product");
        app.given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }

    /**
     * The warehouse goes away while a refresh loads: the caller is told the warehouse does not
     * answer, and the run, recorded once the warehouse is back, says the same first (then the
     * cause, for the operator), not words of its own.
     */
    @Test
    void aRefreshThatLosesTheWarehouseIsRecordedWithTheDetailItAnswered() throws Exception {
        try (FixtureServer upstream = FixtureServer.start(); StoppableWarehouse warehouse = StoppableWarehouse.start()) {
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = ConfigBuilder.from(warehouse.configure(upstream.serveFixtureSources(TestWarehouse.newDatabase())))
                .moderna(hold.url()).build();
            try (RunningApp app = RunningApp.start(config)) {
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> app.given().post("/refresh"));
                hold.awaitRequested();
                long runId = app.given().get("/refreshes").jsonPath().getLong("[0].run_id");
                warehouse.stop();
                hold.release();
                Response answered = refresh.get(60, TimeUnit.SECONDS);
                assertEquals(503, answered.statusCode(), answered.asString());
                assertEquals("/problems/warehouse-unavailable", answered.jsonPath().getString("type"));
                String detail = answered.jsonPath().getString("detail");

                warehouse.restart();
                String error = null;
                for (int attempt = 0; attempt < 120 && error == null; attempt++) {
                    Response run = app.given().get("/refreshes/" + runId);
                    if (run.statusCode() == 200 && "failed".equals(run.jsonPath().getString("status"))) {
                        error = run.jsonPath().getString("error");
                    } else {
                        Thread.sleep(250);
                    }
                }
                assertTrue(error != null, "run " + runId + " was not recorded as failed");
                assertTrue(error.startsWith(detail + " ("), error);
            } finally {
                hold.release();
            }
        }
    }
}
