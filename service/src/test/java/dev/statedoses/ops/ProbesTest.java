package dev.statedoses.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.BuildInfo;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /health/live and GET /health/ready as an orchestrator sees them: live while the process
 * answers, ready once a product can be served and for as long as it can (the warehouse stopped,
 * an old product), not ready before the first refresh. GET /health stays the detailed document.
 */
class ProbesTest {

    @Test
    void readyOnceAProductIsServedAndLiveAllAlong() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            app.given().get("/health/live").then()
                .statusCode(200).contentType("application/json").header("Cache-Control", "no-store")
                .body("status", equalTo("UP"))
                .body("components.process.status", equalTo("UP"))
                .body("components.process.details.uptime_seconds", greaterThanOrEqualTo(0));
            app.given().get("/health/ready").then()
                .statusCode(503).contentType("application/json").header("Cache-Control", "no-store")
                .body("status", equalTo("DOWN"))
                .body("components.product.status", equalTo("DOWN"))
                .body("components.product.details.state_rows", equalTo(0))
                .body("components.product.details.reason", equalTo("no product to serve yet: no refresh has "
                    + "succeeded on this warehouse (POST /refresh, the refresh command, or REFRESH_INTERVAL)"));

            app.given().post("/refresh").then().statusCode(200);
            String refreshedAt = app.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
            app.given().get("/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("components.product.status", equalTo("UP"))
                .body("components.product.details.state_rows", equalTo(51))
                .body("components.product.details.refreshed_at", equalTo(refreshedAt))
                .body("components.product.details.age_seconds", greaterThanOrEqualTo(0));
            app.given().get("/health").then()
                .statusCode(200)
                .body("build.version", equalTo(BuildInfo.version()))
                .body("build.commit", equalTo(BuildInfo.commit()))
                .body("build.modified", equalTo(BuildInfo.modified()));
            // As --version says it: "built with uncommitted changes" exactly when modified.
            assertEquals(BuildInfo.modified(), BuildInfo.describe().endsWith(", built with uncommitted changes)"),
                BuildInfo.describe());
            // HEAD, as a load balancer may send it: the same status, no body.
            assertEquals(200, app.given().head("/health/ready").statusCode());

            String metrics = app.given().get("/metrics").then().statusCode(200).extract().asString();
            assertEquals(1.0, MetricsTest.value(metrics, "state_doses_build_info",
                Map.of("version", BuildInfo.version(), "commit", BuildInfo.commit(),
                    "modified", Boolean.toString(BuildInfo.modified()))));
            double age = MetricsTest.value(metrics, "state_doses_product_age_seconds", Map.of());
            assertTrue(age >= 0 && age < 60, "the product was built moments ago: " + age);
            assertTrue(Double.isNaN(MetricsTest.value(metrics, "state_doses_refresh_next_scheduled_timestamp_seconds",
                Map.of())), "no REFRESH_INTERVAL, no next scheduled refresh");
        }
    }

    /** The warehouse away: /health says 503, but the product is still served, so ready stays 200. */
    @Test
    void aWarehouseOutageIsNeitherNotLiveNorNotReady() throws Exception {
        StoppableWarehouse.withRefreshedApp((warehouse, app) -> {
            warehouse.stop();
            app.given().get("/health").then().statusCode(503).body("warehouse", equalTo("down"));
            app.given().get("/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("components.product.details.state_rows", equalTo(51));
            app.given().get("/health/live").then().statusCode(200).body("status", equalTo("UP"));
            app.given().get("/ratios/NY").then().statusCode(200).body("people_per_dose", equalTo(0.8f));
        });
    }
}
