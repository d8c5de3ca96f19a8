package dev.statedoses;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The scale-out the compose profile runs: three stateless instances on one warehouse, as behind
 * a load balancer that sends each request anywhere. One refresh, asked of one instance and
 * followed on another; then every instance serves the new product, from its own memory.
 */
class ScaleOutTest {

    @Test
    void oneRefreshAndEveryInstanceServesTheNewProduct() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp a = RunningApp.start(config); RunningApp b = RunningApp.start(config);
                 RunningApp c = RunningApp.start(config)) {
                List<RunningApp> all = List.of(a, b, c);
                for (RunningApp app : all) {
                    app.given().get("/ratios").then().statusCode(200).body(equalTo("[]"));
                    app.given().get("/health/ready").then().statusCode(503);
                }

                // Asked of b, followed on c (a balancer may send the polls anywhere).
                Response accepted = b.given().header("Prefer", "respond-async").post("/refresh");
                accepted.then().statusCode(202);
                String location = accepted.header("Location");
                JsonPath run = waitFor(Duration.ofSeconds(30), () -> {
                    JsonPath now = c.given().get(location).then().statusCode(200).extract().jsonPath();
                    return "running".equals(now.getString("status")) ? null : now;
                });
                assertEquals("succeeded", run.getString("status"), run.prettify());

                // Every instance serves it: b at once, a and c when the NOTIFY reaches them.
                String built = b.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
                for (RunningApp app : all) {
                    JsonPath served = waitFor(Duration.ofSeconds(10), () -> {
                        JsonPath rows = app.given().get("/ratios").then().statusCode(200).extract().jsonPath();
                        return rows.getList("$").size() == 51 ? rows : null;
                    });
                    Set<String> builds = served.getList("refreshed_at", String.class).stream().collect(Collectors.toSet());
                    assertEquals(Set.of(built), builds, "one product, the new one");
                    app.given().get("/ratios/NY").then().statusCode(200)
                        .body("people_per_dose", equalTo(0.8f)).body("doses_total", equalTo(7500));
                    app.given().get("/health/ready").then().statusCode(200)
                        .body("components.product.details.refreshed_at", equalTo(built));
                }
                // One refresh for the three of them, in the one run log.
                for (RunningApp app : all) {
                    app.given().get("/refreshes").then().statusCode(200)
                        .body("run_id", org.hamcrest.Matchers.contains(run.getInt("run_id")));
                }
            }
        }
    }

    private interface Probe<T> {
        T value() throws Exception;
    }

    private static <T> T waitFor(Duration timeout, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.value();
            if (value != null) {
                return value;
            }
            assertTrue(System.nanoTime() < deadline, "not within " + timeout);
            Thread.sleep(100);
        }
    }
}
