package dev.statedoses.ops;

import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.product.HeapRoom;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.OpenFiles;
import io.restassured.response.Response;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
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

    /**
     * A reload's failure is named where it is the heap's or the warehouse's, and only then: an
     * exception's own text (here a statement's, with a value in it) stays in the log, since
     * /health answers any client.
     */
    @Test
    void aReloadsFailureIsNamedWhenItIsTheHeapsOrTheWarehouses() {
        assertEquals(Optional.of("the service ran out of heap reading the product (its limit, -Xmx, is "
            + HeapRoom.maxMib() + " MiB): start it with a larger heap"),
            Health.reloadFails(new IllegalStateException("reload", new OutOfMemoryError("Java heap space"))));
        assertEquals(Optional.of("the warehouse no longer has what the migrations made (ERROR: relation "
            + "\"dwh.state_doses_weekly\" does not exist)"), Health.reloadFails(new IllegalStateException("reload",
                new SQLException("ERROR: relation \"dwh.state_doses_weekly\" does not exist", "42P01"))));
        assertEquals(Optional.of("the warehouse does not answer"), Health.reloadFails(new IllegalStateException("reload",
            new SQLException("Connection to 127.0.0.1:5432 refused.", "08001"))));
        assertEquals(Optional.empty(), Health.reloadFails(new IllegalStateException("reload",
            new SQLException("ERROR: invalid input syntax for type numeric: \"secret-ish\"", "22P02"))));
        assertEquals(Optional.empty(), Health.reloadFails(new NullPointerException()));
    }

    /**
     * An instance that serves another product than the warehouse's says so, once that has lasted
     * longer than a reload takes to be tried again: its reads come from memory, and a reload that
     * kept failing served an old product while /health said all was well. The product changed by
     * hand (no NOTIFY, so no reload) stands for any product this instance did not load.
     */
    @Test
    void anInstanceServingAnotherProductThanTheWarehousesSaysSo() throws Exception {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            app.given().post("/refresh").then().statusCode(200);
            Jdbi warehouse = app.wiring().warehouse().jdbi();
            Instant built = warehouse.withHandle(h -> h.createQuery("select max(refreshed_at) from dwh.state_doses")
                .mapTo(Instant.class).one());
            app.given().get("/health/ready").then().statusCode(200)
                .body("components.product.details.refreshed_at", equalTo(built.toString()));

            Instant later = built.plusSeconds(3_600);
            warehouse.useHandle(h -> h.execute("update dwh.state_doses set refreshed_at = refreshed_at + interval '1 hour'"));
            long changed = System.nanoTime();
            Response health = app.given().get("/health");
            assertEquals(200, health.statusCode(), "within the grace a reload has: " + health.asString());
            while (health.statusCode() == 200 && System.nanoTime() - changed < Duration.ofSeconds(30).toNanos()) {
                Thread.sleep(500);
                health = app.given().get("/health");
            }
            long waited = Duration.ofNanos(System.nanoTime() - changed).toSeconds();
            assertTrue(waited >= Health.APART_GRACE.toSeconds(), "said so after " + waited + " s");
            health.then().statusCode(503)
                .body("status", equalTo("unavailable"))
                .body("warehouse", equalTo("up"))
                .body("product", equalTo("loaded"))
                .body("state_rows", equalTo(51))
                .body("reason", startsWith("this instance serves the product refreshed at " + built
                    + ", not the warehouse's, refreshed at " + later + ", for "))
                .body("reason", endsWith(" s: its reload fails (the log says why), or the product was changed "
                    + "without a refresh"));

            warehouse.useHandle(h -> h.execute("update dwh.state_doses set refreshed_at = refreshed_at - interval '1 hour'"));
            app.given().get("/health").then().statusCode(200).body("status", equalTo("ok")).body("reason", nullValue());
        }
    }
}
