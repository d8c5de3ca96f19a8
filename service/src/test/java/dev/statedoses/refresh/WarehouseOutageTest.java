package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
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
