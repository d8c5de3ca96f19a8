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
import java.util.List;
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
                // A refresh says the same: it said the history alone was missing, and that the next
                // start would apply every migration again and fail, where a restart migrates it.
                app.given().post("/refresh?force=true").then().statusCode(500)
                    .body("type", equalTo("/problems/warehouse-changed"))
                    .body("differences", equalTo(List.of("the warehouse holds nothing the migrations made (no "
                        + "schema dwh or raw): was the database dropped and created again, or emptied by hand? A "
                        + "restart of the service migrates an empty database")));
            }
            // And so it does.
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            }
        }
    }

    /**
     * The database renamed under a running service (or dropped): PostgreSQL answers and refuses
     * the connection, saying why (3D000), and the reads, refreshes and /health said "the warehouse
     * does not answer", sending the operator to the network. Each now says what the warehouse
     * said; renamed back, the service serves at once.
     */
    @Test
    void aDatabaseRenamedUnderTheServiceIsSaidSo() throws InterruptedException {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                String name = config.dbName();
                rename(name, name + "_moved");
                try {
                    String refused = "The warehouse answers, but refused the service's connection: it has no database "
                        + "of the name the service was given (dropped, or renamed?) (SQLSTATE 3D000)";
                    // The sessions ended for the rename broke the pool's connections: until the
                    // next look (once a second) finds the database gone, that is all it knows.
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (!refused.equals(app.given().get("/refreshes").then().extract().path("detail"))
                            && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    for (String read : new String[] {"/refreshes", "/ratios/NY?as_of=2021-01-31"}) {
                        app.given().get(read).then().statusCode(503)
                            .body("type", equalTo("/problems/warehouse-unavailable"))
                            .body("detail", equalTo(refused));
                    }
                    app.given().post("/refresh?force=true").then().statusCode(503).body("detail", equalTo(refused));
                    app.given().get("/health").then().statusCode(503)
                        .body("reason", equalTo("the warehouse answers, but it has no database of the name the "
                            + "service was given (dropped, or renamed?) (SQLSTATE 3D000)"));
                    app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
                } finally {
                    rename(name + "_moved", name);
                }
                // Renamed back: the next look (once a second) finds it.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (app.given().get("/refreshes").statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                app.given().get("/refreshes").then().statusCode(200);
                app.given().get("/health").then().statusCode(200);
            }
        }
    }

    /** Renames a database, ending its sessions first (the pool reconnects, so until it is done). */
    private static void rename(String from, String to) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                TestWarehouse.asSuperuser("select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
                    + from + "'; alter database " + from + " rename to " + to);
                return;
            } catch (IllegalStateException busy) {
                if (attempt > 50) {
                    throw busy;
                }
                Thread.sleep(20);
            }
        }
    }
}
