package dev.statedoses.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** GET /health on a real warehouse: unavailable until a refresh has built the product, then ok. */
class HealthTest {

    @Test
    void healthIsUnavailableBeforeTheFirstRefreshAndOkAfterIt() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            app.given().get("/health").then()
                .statusCode(503).contentType("application/json")
                .header("Cache-Control", "no-store")
                .body("status", equalTo("unavailable"))
                .body("warehouse", equalTo("up"))
                .body("product", equalTo("empty"))
                .body("state_rows", equalTo(0))
                .body("last_successful_refresh", nullValue());

            app.given().post("/refresh").then().statusCode(200).body("run_id", equalTo(1));

            String finishedAt = app.given().get("/health").then()
                .statusCode(200).contentType("application/json")
                .body("status", equalTo("ok"))
                .body("warehouse", equalTo("up"))
                .body("product", equalTo("loaded"))
                .body("state_rows", equalTo(51))
                .body("last_successful_refresh.run_id", equalTo(1))
                .extract().path("last_successful_refresh.finished_at");
            Instant recorded = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                    "select finished_at from dwh.refresh_runs where run_id = 1 and status = 'succeeded'")
                .mapTo(Instant.class).one());
            assertEquals(recorded, Instant.parse(finishedAt), "the run's finished_at as recorded");
        }
    }

}
