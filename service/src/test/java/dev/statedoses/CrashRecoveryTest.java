package dev.statedoses;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the real service process in the middle of a refresh, while PostgreSQL is
 * still working on its statement (it waits for a lock this test holds), then a restart: the product
 * is intact, the killed run is closed as abandoned (the server gives up the dead client's
 * statement within a second, client_connection_check_interval, which frees the refresh lock), and
 * the next refresh succeeds.
 */
class CrashRecoveryTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aServiceKilledMidStatementLeavesTheProductAndItsRunIsClosedAsAbandoned() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(config));
            env.put("PORT", "0");
            Jdbi jdbi = TestWarehouse.jdbi(config);

            String product;
            long killedRun;
            try (ServiceProcess first = ServiceProcess.start("serve", env);
                 Handle blocker = jdbi.open()) {
                int port = first.awaitServing();
                assertEquals(200, post(port, "/refresh").statusCode());
                product = get(port, "/ratios").body();

                // Hold a lock the refresh's "delete from dwh.state_doses" must wait for (reads pass).
                blocker.begin();
                blocker.execute("lock table dwh.state_doses in share mode");
                // force: the same sources would be found unchanged, and nothing would wait for the lock.
                CompletableFuture<HttpResponse<String>> refresh = http.sendAsync(request(port, "/refresh?force=true")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                awaitTrue("the refresh waiting for the lock", () -> waiting(jdbi) == 1);
                killedRun = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                    .mapTo(Long.class).one());

                first.kill(); // SIGKILL: no shutdown hook, no rollback sent, no run recorded
                refresh.handle((r, e) -> null).join();

                try (ServiceProcess second = ServiceProcess.start("serve", env)) {
                    int again = second.awaitServing();
                    // Still holding the lock: the dead client's statement must end by itself.
                    awaitTrue("run " + killedRun + " closed as abandoned", () -> get(again, "/refreshes/" + killedRun)
                        .body().contains("\"status\":\"failed\""));
                    String run = get(again, "/refreshes/" + killedRun).body();
                    assertTrue(run.contains("\"error\":\"abandoned: the process that ran it stopped before it "
                        + "finished\""), run);
                    assertTrue(run.contains("\"finished_at\":\"20"), run);
                    assertEquals(0, waiting(jdbi), "the killed refresh's statement is still running");
                    assertEquals(product, get(again, "/ratios").body(), "the product changed");

                    blocker.rollback();
                    HttpResponse<String> next = post(again, "/refresh");
                    assertEquals(200, next.statusCode(), next.body());
                    assertTrue(next.body().contains("\"run_id\":" + (killedRun + 1)), next.body());
                }
            }
        }
    }

    /**
     * Another instance still serving sees the killed instance's run closed as abandoned within its
     * sweep (15 s), without any restart: before, it showed the run as running, and a client
     * following it polled, until some instance started again.
     */
    @Test
    void anInstanceStillServingClosesTheRunOfAKilledOne() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(config));
            env.put("PORT", "0");
            Jdbi jdbi = TestWarehouse.jdbi(config);
            try (ServiceProcess victim = ServiceProcess.start("serve", env);
                 Handle blocker = jdbi.open()) {
                int port = victim.awaitServing();
                try (RunningApp survivor = RunningApp.start(config)) {
                    blocker.begin();
                    blocker.execute("lock table dwh.state_doses in share mode");
                    CompletableFuture<HttpResponse<String>> refresh = http.sendAsync(request(port, "/refresh")
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    awaitTrue("the refresh waiting for the lock", () -> waiting(jdbi) == 1);
                    long killedRun = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                        .mapTo(Long.class).one());
                    survivor.given().get("/refreshes/" + killedRun).then().body("status", equalTo("running"));

                    victim.kill();
                    refresh.handle((r, e) -> null).join();
                    awaitTrue("run " + killedRun + " closed as abandoned by the survivor", () -> "failed".equals(
                        survivor.given().get("/refreshes/" + killedRun).jsonPath().getString("status")));
                    assertEquals("abandoned: the process that ran it stopped before it finished",
                        survivor.given().get("/refreshes/" + killedRun).jsonPath().getString("error"));
                    blocker.rollback();
                }
            }
        }
    }

    /** The service's connections waiting for a lock (the refresh, behind the test's lock). */
    private static int waiting(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("""
                select count(*) from pg_stat_activity
                where datname = current_database() and application_name = 'state-doses'
                  and wait_event_type = 'Lock'""")
            .mapTo(Integer.class).one());
    }

    private HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            return http.send(request(port, path).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(int port, String path) throws Exception {
        return http.send(request(port, path).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 30 s: " + what);
            Thread.sleep(100);
        }
    }
}
