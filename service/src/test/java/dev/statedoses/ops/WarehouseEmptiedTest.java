package dev.statedoses.ops;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The database emptied under a running service (dropped and created again, or its schemas dropped
 * by hand): the warehouse answers, but without what the migrations made. /health said the
 * warehouse was down while PostgreSQL answered, and every read of the warehouse was a bare 500
 * "Internal error" with a stack trace in the log. Now each says what is true: the warehouse is up,
 * it lacks this table (the warehouse's words), and a restart migrates an empty database.
 */
class WarehouseEmptiedTest {

    @Test
    void readsOfAWarehouseWithoutItsTablesSaySo() {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                TestWarehouse.jdbi(config).useHandle(h -> h.execute("drop schema dwh, raw cascade"));

                for (String read : new String[] {"/refreshes", "/refreshes/1", "/ratios?as_of=2021-01-31",
                        "/ratios/NY?as_of=2021-01-31"}) {
                    app.given().get(read).then().statusCode(500)
                        .body("type", equalTo("/problems/warehouse-changed"))
                        .body("detail", containsString("does not exist"))
                        .body("detail", containsString("A restart of the service migrates an empty database"))
                        .body("differences", hasItem(containsString("does not exist")));
                }
                app.given().get("/health").then().statusCode(503)
                    .body("warehouse", equalTo("up"))
                    .body("product", equalTo("unknown"))
                    .body("reason", startsWith("the warehouse no longer has what the migrations made ("))
                    .body("reason", endsWith("); a restart migrates an empty database"));
                String metrics = app.given().get("/metrics").asString();
                assertEquals(1.0, MetricsTest.value(metrics, "state_doses_warehouse_up", Map.of()));
                assertEquals(1.0, MetricsTest.value(metrics, "state_doses_warehouse_changed", Map.of()),
                    "the values kept are explained");
                // The product in memory is still served, as during an outage.
                app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
            }
        }
    }
}
