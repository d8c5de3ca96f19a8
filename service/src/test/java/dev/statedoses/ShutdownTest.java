package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawUpstream;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the real service process while a refresh is reading its sources: the refresh rolls
 * back and its caller is told so, the process exits, and the product is what it was.
 */
class ShutdownTest {

    @Test
    void sigtermRollsBackARunningRefreshAndAnswersItsCaller() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            FixtureServer.Hold moderna = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            String before;
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                before = app.given().get("/ratios").asString();
            }

            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(
                ConfigBuilder.from(config).moderna(moderna.url()).build()));
            env.put("PORT", Integer.toString(port));
            Process service = start(env);
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + port);
                awaitServing(http, base, service);

                CompletableFuture<HttpResponse<String>> refresh = http.sendAsync(
                    HttpRequest.newBuilder(base.resolve("/refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
                moderna.awaitRequested();

                service.destroy(); // SIGTERM
                HttpResponse<String> answer = refresh.get(30, TimeUnit.SECONDS);
                assertEquals(503, answer.statusCode(), answer.body());
                assertTrue(answer.body().contains("\"type\":\"/problems/shutting-down\""), answer.body());
                assertTrue(service.waitFor(30, TimeUnit.SECONDS), "the service did not exit");
            } finally {
                moderna.release();
                service.destroyForcibly();
            }

            try (RunningApp app = RunningApp.start(config)) {
                assertEquals(before, app.given().get("/ratios").asString(), "the product is what it was");
                List<Map<String, Object>> runs = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                    "select status, error from dwh.refresh_runs order by run_id").mapToMap().list());
                assertEquals(2, runs.size());
                assertEquals("failed", runs.get(1).get("status"));
                assertEquals("the service is shutting down; the refresh was rolled back", runs.get(1).get("error"));
            }
        }
    }

    /**
     * The shutdown hook's first step (RefreshService.shutdown) while a source has not even sent
     * its headers: the refresh ends at once as a shutdown (503, and so on record), not when the
     * upstream answers or SOURCE_TIMEOUT runs out, and not as the upstream's fault.
     */
    @Test
    void stoppingWhileASourceHasNotAnsweredEndsTheRefreshAsAShutdown() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            URI silent = upstream.serveSilently("/silent/moderna.csv", asked, released);
            try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).moderna(silent).build())) {
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> app.given().post("/refresh"));
                assertTrue(asked.await(10, TimeUnit.SECONDS), "moderna was never asked for");
                stopsAsAShutdown(app, refresh, 5_000);
            } finally {
                released.countDown();
            }
        }
    }

    /**
     * Stopping while the refresh waits in the warehouse (an analyst's transaction holds the
     * product table): its statement is cancelled, it answers 503 shutting-down at once and is on
     * record as a shutdown, and the product is as it was. Before, the caller got no answer, the
     * server gave up stopping gracefully after 10 s and the run stayed 'running'.
     */
    @Test
    void stoppingWhileTheRefreshWaitsInTheWarehouseEndsItAsAShutdown() throws Exception {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            app.given().post("/refresh").then().statusCode(200);
            String before = app.given().get("/ratios").asString();
            try (org.jdbi.v3.core.Handle analyst = app.wiring().warehouse().jdbi().open()) {
                analyst.begin();
                analyst.execute("lock table dwh.state_doses in access exclusive mode");
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                    () -> app.given().post("/refresh?force=true"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                // The refresh's own wait: its run on record as running, and a session the
                // analyst blocks. Any session waiting on a lock was taken for it before, and the
                // service's other sessions may wait too (the first refresh's vacuum, a product
                // read): the service was then stopped before this refresh began, and no run of
                // it was on record.
                while (analyst.createQuery("select count(*) from pg_stat_activity "
                        + "where datname = current_database() and pg_backend_pid() = any(pg_blocking_pids(pid)) "
                        + "and exists (select 1 from dwh.refresh_runs where status = 'running')")
                        .mapTo(Integer.class).one() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the refresh never waited for the lock");
                    Thread.sleep(20);
                }
                stopsAsAShutdown(app, refresh, 5_000);
                analyst.rollback();
            }
            assertEquals(before, app.given().get("/ratios").asString());
            assertEquals(1L, (long) app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from dwh.refresh_runs where status = 'succeeded'").mapTo(Long.class).one()));
        }
    }

    /**
     * Stopping while the refresh waits, before its run is on record, for an analyst's lock on the
     * refresh lock's table or on the run log: those waits were out of the shutdown's reach (taking
     * the lock came before the refresh counted as in progress, and its run was written on another
     * connection), so the caller got no answer and the process took 12 s and an ERROR to stop. It
     * now ends at once as a shutdown, with no run left behind, and the product as it was.
     */
    @Test
    void stoppingWhileTheRefreshWaitsToTakeItsLockOrWriteItsRunEndsItAsAShutdown() throws Exception {
        for (String table : List.of("dwh.refresh_lock", "dwh.refresh_runs")) {
            try (FixtureServer upstream = FixtureServer.start();
                 RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
                app.given().post("/refresh").then().statusCode(200);
                String before = app.given().get("/ratios").asString();
                try (org.jdbi.v3.core.Handle analyst = app.wiring().warehouse().jdbi().open()) {
                    analyst.begin();
                    analyst.execute("lock table " + table + " in access exclusive mode");
                    CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                        () -> app.given().post("/refresh?force=true"));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    // The refresh under way and a session waiting behind the analyst: the wait
                    // comes as the statement is parsed, before pg_stat_activity shows its text,
                    // and no other session of the service reads these tables meanwhile.
                    while (!app.wiring().refreshes().running() || analyst.createQuery("select count(*) "
                            + "from pg_stat_activity where datname = current_database() "
                            + "and pg_backend_pid() = any(pg_blocking_pids(pid))").mapTo(Integer.class).one() == 0) {
                        assertTrue(System.nanoTime() < deadline, table + ": the refresh never waited for the lock");
                        Thread.sleep(20);
                    }
                    long stopping = System.nanoTime();
                    app.wiring().refreshes().shutdown();
                    Response answer = refresh.get(10, TimeUnit.SECONDS);
                    long tookMs = (System.nanoTime() - stopping) / 1_000_000;
                    assertEquals(503, answer.statusCode(), table + ": " + answer.asString());
                    assertEquals("/problems/shutting-down", answer.jsonPath().getString("type"), table);
                    assertTrue(tookMs < 5_000, table + ": the refresh took " + tookMs + " ms to stop");
                    analyst.rollback();
                }
                assertEquals(before, app.given().get("/ratios").asString(), table);
                assertEquals(List.of(Map.of("status", "succeeded")), app.wiring().warehouse().jdbi().withHandle(
                    h -> h.createQuery("select status from dwh.refresh_runs").mapToMap().list()), table);
            }
        }
    }

    /**
     * Stopping while a source's fault is being waited out (503 with Retry-After: 5): the pause
     * ends at once and the refresh ends as a shutdown, not with the upstream's 503.
     */
    @Test
    void stoppingDuringARetryPauseEndsTheRefreshAsAShutdown() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            URI busy = upstream.serve("/busy/moderna.csv", exchange -> {
                asked.countDown();
                exchange.getResponseHeaders().set("Retry-After", "5");
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
            });
            try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).moderna(busy).build())) {
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> app.given().post("/refresh"));
                assertTrue(asked.await(10, TimeUnit.SECONDS), "moderna was never asked for");
                Thread.sleep(200); // into the pause
                stopsAsAShutdown(app, refresh, 3_000);
            }
        }
    }

    /**
     * Stopping while a body broken off midway is being asked for again, and the upstream's
     * answer to that (503, Retry-After: 20) is being waited out: the refresh ends at once as a
     * shutdown, not 20 s later with the upstream's fault, nor left running.
     */
    @Test
    void stoppingWhileABrokenBodyIsAskedForAgainEndsTheRefreshAsAShutdown() throws Exception {
        byte[] moderna = Fixtures.bytes("moderna.csv");
        try (FixtureServer upstream = FixtureServer.start();
             RawUpstream broken = RawUpstream.start(socket -> {
                 // The headers and half the body, a pause so the refresh is reading it, then a reset.
                 java.io.OutputStream out = socket.getOutputStream();
                 out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: " + moderna.length
                     + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                 out.write(moderna, 0, moderna.length / 2);
                 out.flush();
                 try {
                     Thread.sleep(300);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
                 socket.setSoLinger(true, 0);
                 socket.close();
             }, RawUpstream.answer(503, "Retry-After: 20", new byte[0]))) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).moderna(broken.url("/moderna.csv"))
                    .build())) {
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> app.given().post("/refresh"));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (broken.requests().size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(2, broken.requests().size(), "moderna was not asked for again");
                Thread.sleep(200); // into the 20 s pause
                stopsAsAShutdown(app, refresh, 3_000);
            }
        }
    }

    /**
     * Closing the service (not only the shutdown hook) while an asynchronous refresh waits for a
     * source's headers: the refresh ends as a shutdown and is on record so, before the warehouse
     * closes.
     */
    @Test
    void closingTheServiceEndsAnAsynchronousRefreshAsAShutdown() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            URI silent = upstream.serveSilently("/silent/moderna.csv", asked, released);
            Config held = ConfigBuilder.from(config).moderna(silent).build();
            try {
                long stopping;
                try (RunningApp app = RunningApp.start(held)) {
                    app.given().header("Prefer", "respond-async").post("/refresh").then().statusCode(202);
                    assertTrue(asked.await(10, TimeUnit.SECONDS), "moderna was never asked for");
                    stopping = System.nanoTime();
                }
                long tookMs = (System.nanoTime() - stopping) / 1_000_000;
                assertTrue(tookMs < 10_000, "closing took " + tookMs + " ms");
                try (RunningApp again = RunningApp.start(config)) {
                    assertEquals(SourceAbandonedException.SHUTTING_DOWN, lastRunError(again));
                }
            } finally {
                released.countDown();
            }
        }
    }

    /**
     * Stops {@code app}'s refreshing, as the shutdown hook's first step does, while {@code refresh}
     * is under way: it must answer 503 shutting-down within {@code withinMs} and be on record so.
     */
    private static void stopsAsAShutdown(RunningApp app, CompletableFuture<Response> refresh, long withinMs)
            throws Exception {
        long stopping = System.nanoTime();
        app.wiring().refreshes().shutdown();
        Response answer = refresh.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - stopping) / 1_000_000;
        assertEquals(503, answer.statusCode(), answer.asString());
        assertEquals("/problems/shutting-down", answer.jsonPath().getString("type"));
        assertTrue(tookMs < withinMs, "the refresh took " + tookMs + " ms to stop");
        assertEquals(SourceAbandonedException.SHUTTING_DOWN, lastRunError(app));
    }

    /** The error the last run was recorded with; it must have failed. */
    private static Object lastRunError(RunningApp app) {
        Map<String, Object> run = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
            "select status, error from dwh.refresh_runs order by run_id desc limit 1").mapToMap().one());
        assertEquals("failed", run.get("status"), String.valueOf(run));
        return run.get("error");
    }

    /** The service's own main, in a JVM of its own, on the test classpath (surefire's). */
    private static Process start(Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "serve");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    private static void awaitServing(HttpClient http, URI base, Process service) throws Exception {
        for (int attempt = 0; attempt < 120; attempt++) {
            if (!service.isAlive()) {
                throw new AssertionError("the service exited with " + service.exitValue());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve("/ratios"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the service did not start serving");
    }
}
