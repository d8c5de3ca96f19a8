package dev.statedoses.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.OpenFiles;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
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
                .body("reason", equalTo("no refresh has built the product yet"))
                .body("warehouse", equalTo("up"))
                .body("product", equalTo("empty"))
                .body("state_rows", equalTo(0))
                .body("last_successful_refresh", nullValue());

            app.given().post("/refresh").then().statusCode(200).body("run_id", equalTo(1));

            String finishedAt = app.given().get("/health").then()
                .statusCode(200).contentType("application/json")
                .body("status", equalTo("ok"))
                .body("reason", nullValue())
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


    /**
     * A check that could not get a connection says why: a warehouse away, one that refused for a
     * reason of its own (every slot taken, as the pool's timeout carries it), or a service with no
     * descriptor left to connect with. All three were "down" and nothing more.
     */
    @Test
    void aCheckThatCouldNotConnectSaysWhy() {
        String pool = "warehouse - Connection is not available, request timed out after 3000ms";
        assertEquals("the warehouse does not answer", Health.unreachable(new SQLTransientConnectionException(pool,
            new SQLException("Connection to 127.0.0.1:5432 refused.", "08001"))));
        assertEquals("the warehouse has too many connections (SQLSTATE 53300)", Health.unreachable(
            new SQLTransientConnectionException(pool, new SQLException("FATAL: sorry, too many clients already", "53300"))));
        assertEquals("the service ran out of open files (its limit, ulimit -n, is " + OpenFiles.describeLimit() + ")",
            Health.unreachable(new SQLTransientConnectionException(pool, new SQLException("The connection attempt failed.",
                "08001", new SocketException("Too many open files")))));
    }
}
