package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.StoppableWarehouse;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
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
}
