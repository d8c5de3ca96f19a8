package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * SOURCE_TIMEOUT is the upstream's budget, not the warehouse's: a refresh held up by the warehouse
 * (here a lock an analyst's transaction holds on the population's raw table, for twice the
 * budget) after the upstream delivered the whole body in milliseconds loads it once the lock goes.
 * Before, it failed with a 504 saying the population's body "did not arrive in full within 1 s".
 */
class SlowWarehouseTest {

    @Test
    void aRefreshHeldUpByTheWarehouseIsNotTheUpstreamsTimeout() throws Exception {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(ConfigBuilder.from(upstream.serveFixtureSources(
                 TestWarehouse.newDatabase())).sourceLimits(Duration.ofSeconds(1), 10_000_000).build())) {
            app.given().post("/refresh").then().statusCode(200);
            try (Handle analyst = app.wiring().warehouse().jdbi().open()) {
                analyst.begin();
                analyst.execute("lock table raw.county_population in access exclusive mode");
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                    () -> app.given().post("/refresh?force=true"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (analyst.createQuery("select count(*) from pg_stat_activity where datname = current_database() "
                        + "and wait_event_type = 'Lock' and pid <> pg_backend_pid()")
                        .mapTo(Integer.class).one() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the refresh never waited for the lock");
                    Thread.sleep(20);
                }
                Thread.sleep(2_000); // twice SOURCE_TIMEOUT
                analyst.rollback();
                Response answer = refresh.get(30, TimeUnit.SECONDS);
                assertEquals(200, answer.statusCode(), answer.asString());
                assertEquals("succeeded", answer.jsonPath().getString("status"));
                // The fixtures' 53 county lines, loaded.
                assertEquals(53, answer.jsonPath().getInt("sources.find { it.source == 'population' }.rows"));
            }
        }
    }
}
