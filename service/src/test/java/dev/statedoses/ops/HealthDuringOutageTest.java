package dev.statedoses.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.StoppableWarehouse;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warehouse stops under a running service: /health says so with 503 within seconds, /metrics
 * still answers (warehouse_up 0), and both recover by themselves when the warehouse is back.
 */
class HealthDuringOutageTest {

    private static final Duration PROMPT = Duration.ofSeconds(6);


    @Test
    void healthIs503WhileTheWarehouseIsDownAndOkWhenItIsBack() throws Exception {
        StoppableWarehouse.withRefreshedApp((warehouse, app) -> {
            app.given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
            app.given().get("/metrics").then().statusCode(200); // a scrape before the outage

            warehouse.stop();
            Instant start = Instant.now();
            app.given().get("/health").then()
                .statusCode(503).contentType("application/json")
                .body("status", equalTo("unavailable"))
                .body("reason", equalTo("the warehouse does not answer"))
                .body("warehouse", equalTo("down"))
                .body("product", equalTo("unknown"))
                .body("state_rows", nullValue())
                .body("last_successful_refresh", nullValue());
            Duration took = Duration.between(start, Instant.now());
            assertTrue(took.compareTo(PROMPT) < 0, "/health took " + took);

            start = Instant.now();
            String metrics = app.given().get("/metrics").then().statusCode(200).extract().asString();
            took = Duration.between(start, Instant.now());
            assertTrue(took.compareTo(PROMPT) < 0, "/metrics took " + took);
            assertEquals(0.0, MetricsTest.value(metrics, "state_doses_warehouse_up", Map.of()));
            assertEquals(51.0, MetricsTest.value(metrics, "state_doses_product_state_rows", Map.of()),
                "the values of the last scrape stay while the warehouse is down");

            warehouse.restart();
            Response again = null;
            for (int attempt = 0; attempt < 40; attempt++) {
                again = app.given().get("/health");
                if (again.statusCode() == 200) {
                    break;
                }
                Thread.sleep(250);
            }
            assertEquals(200, again.statusCode(), "health did not recover: " + again.asString());
            again.then().body("warehouse", equalTo("up")).body("state_rows", equalTo(51))
                .body("last_successful_refresh.run_id", equalTo(1));
        });
    }
}
