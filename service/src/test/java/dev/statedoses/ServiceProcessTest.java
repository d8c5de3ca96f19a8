package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a process of its own, with its own logging configuration
 * (ops/LogConfiguration, which tests otherwise replace with logback-test.xml). Lines are
 * buffered (BufferedStderrAppender), so a process must still write every line it logged when it
 * exits, by System.exit (the refresh command) or on SIGTERM (the service, whose shutdown hook
 * logs as it stops); and in local mode its embedded warehouse stops after it, and with it.
 */
class ServiceProcessTest {

    @Test
    void theServicesShutdownLinesReachStderrAfterSigterm() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            String err = serveThenSigterm(TestWarehouse.environment(
                upstream.serveFixtureSources(TestWarehouse.newDatabase())));
            assertTrue(err.contains("INFO  Main shutting down"), err);
            // Stopped during its warm-up (it runs for seconds after "serving on"), the service
            // waits for the warm-up to end, which it says at INFO, before its last line: the
            // warm-up's lines once came after "stopped", as warnings.
            assertTrue(lastLine(err).endsWith("INFO  Main stopped"), err);
            assertFalse(err.contains("warm-up failed"), err);
            assertFalse(err.contains("setting up ahead of the first refresh failed"), err);
        }
    }

    /**
     * A JVM time zone PostgreSQL does not know (Java's JST, CTT, PST, IST, AET and others): the
     * driver sends it at login, and the server refused every connection with a FATAL, which the
     * service told as a host or login it could not reach. The service sets its JVM's zone to UTC
     * before anything connects, whatever the zone: a whole refresh under JST.
     */
    @Test
    void aJvmTimeZonePostgresqlDoesNotKnowStillConnects() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Map<String, String> env = TestWarehouse.environment(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
            try (ServiceProcess refresh = ServiceProcess.start(List.of("-Duser.timezone=JST"), List.of("refresh", "--json"),
                    env)) {
                assertEquals(0, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
                assertTrue(refresh.stdout().contains("\"status\":\"succeeded\""), refresh.stdout());
                assertTrue(refresh.stdout().contains("\"state_rows\":51"), refresh.stdout());
            }
        }
    }

    /**
     * Whatever the machine's locale, time zone and charsets, the command line and the log write
     * UTF-8, ASCII digits and UTC: under Arabic (Egypt), Pacific/Kiritimati (+14) and ASCII for
     * every stream, a source's ñ quoted in a failure was a ?, the log's times were the next day's
     * at +14:00, and (in the service's warm-up line) its numbers were written in Arabic-Indic
     * digits. The JSON on stdout is UTF-8, as RFC 8259 asks.
     */
    @Test
    void theCommandLineAndTheLogWriteUtf8AsciiDigitsAndUtcOnAnyMachine() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(
                upstream.serveFixtureSources(TestWarehouse.newDatabase())));
            String moderna = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8)
                .replaceFirst("2021-01-04T", "2021-01-0ñT");
            env.put("MODERNA_URL", upstream.serve("/moderna.csv", moderna.getBytes(StandardCharsets.UTF_8)).toString());
            List<String> machine = List.of("-Duser.language=ar", "-Duser.country=EG",
                "-Duser.timezone=Pacific/Kiritimati", "-Dfile.encoding=US-ASCII", "-Dsun.stdout.encoding=US-ASCII",
                "-Dsun.stderr.encoding=US-ASCII", "-Dstdout.encoding=US-ASCII", "-Dstderr.encoding=US-ASCII");
            try (ServiceProcess refresh = ServiceProcess.start(machine, List.of("refresh", "--json"), env)) {
                assertEquals(1, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
                String err = refresh.log();
                String failed = err.lines().filter(l -> l.startsWith("refresh failed, the product is "))
                    .findFirst().orElseThrow(() -> new AssertionError(err));
                assertTrue(failed.contains("'2021-01-0ñT00:00:00.000'"), failed);
                // The launcher's own lines (JAVA_TOOL_OPTIONS, a VM warning) are not the service's.
                List<String> logged = err.lines().filter(l -> !l.startsWith("refresh failed")
                    && !l.startsWith("Picked up ") && !l.startsWith("OpenJDK ")).toList();
                assertFalse(logged.isEmpty(), err);
                for (String line : logged) {
                    assertTrue(line.matches("20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                        + "(INFO |WARN |ERROR) \\S.*"), line);
                }
                assertTrue(logged.stream().anyMatch(l -> l.contains("'2021-01-0ñT00:00:00.000'")), err);
                assertTrue(refresh.stdout().contains("'2021-01-0ñT00:00:00.000'"), refresh.stdout());
                assertTrue(refresh.stdout().startsWith("{\"type\":"), refresh.stdout());
            }
        }
    }

    /**
     * Output that could not be written is a failure, said on stderr: on a full disk (/dev/full),
     * `version` and a `refresh` that succeeded exited 0 with nothing written. A refresh's work is
     * done all the same (its run is in the run log).
     */
    @Test
    void stdoutThatCannotBeWrittenIsAFailureSaidOnStderr() throws Exception {
        java.io.File full = new java.io.File("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(full.exists(), "no /dev/full on this system");
        ProcessBuilder.Redirect toFull = ProcessBuilder.Redirect.to(full);
        String said = "error: stdout could not be written (No space left on device): what the command did is done, "
            + "but what it printed is lost";
        try (ServiceProcess version = ServiceProcess.start(List.of(), List.of("version"), Map.of(), toFull)) {
            assertEquals(1, version.awaitExit(Duration.ofSeconds(60)), version.log());
            assertEquals(said + "\n", version.log());
        }
        try (FixtureServer upstream = FixtureServer.start()) {
            Map<String, String> env = TestWarehouse.environment(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
            try (ServiceProcess refresh = ServiceProcess.start(List.of(), List.of("refresh"), env, toFull)) {
                assertEquals(1, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
                assertTrue(refresh.log().contains("refresh 1 succeeded in "), refresh.log());
                assertTrue(refresh.log().endsWith(said + "\n"), refresh.log());
            }
        }
        // Written where it can be, the same command is 0, and says nothing of the kind.
        try (ServiceProcess version = ServiceProcess.start(List.of(), List.of("version"), Map.of())) {
            assertEquals(0, version.awaitExit(Duration.ofSeconds(60)), version.log());
            assertTrue(version.stdout().startsWith("state-doses "), version.stdout());
            assertEquals("", version.log());
        }
    }

    /**
     * Local mode (no DB_HOST): the service drains and closes its pool and listener before its
     * embedded PostgreSQL stops, and stops it before it exits: nothing loses the warehouse under
     * it, and no postmaster is left behind.
     */
    @Test
    void inLocalModeTheEmbeddedWarehouseStopsAfterTheServiceAndWithIt(@TempDir Path dwh) throws Exception {
        int dbPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            dbPort = socket.getLocalPort();
        }
        String err = serveThenSigterm(Map.of("DWH_DIR", dwh.toString(), "DB_PORT", Integer.toString(dbPort)));
        assertTrue(err.contains("embedded PostgreSQL, data in " + dwh), err);
        assertTrue(lastLine(err).endsWith("INFO  Main stopped"), err);
        assertFalse(err.contains("lost the state_doses_refreshed channel"),
            "the warehouse stopped under the running service:\n" + err);
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")), "the embedded PostgreSQL is still running");
        // A new warehouse draws PostgreSQL's notice about schema dwh; LogConfiguration quiets the
        // logger Flyway writes it with (which moved in Flyway 13).
        assertFalse(err.contains("already exists, skipping"), err);
    }

    /**
     * The JIT warm-up runs after the service serves, on its generated sources (12 rounds of 2 x
     * 63 x 28 allocations and 3,220 counties), after setting up the first refresh's HTTP client
     * and statements, and ends without an error.
     */
    @Test
    void theServiceWarmsUpOnGeneratedDataAfterItServes() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(
                upstream.serveFixtureSources(TestWarehouse.newDatabase())));
            env.put("PORT", "0");
            try (ServiceProcess service = ServiceProcess.start("serve", env)) {
                int port = service.awaitServing();
                service.awaitLog("INFO  WarmUp warm-up: ", Duration.ofSeconds(60));
                String log = service.log();
                assertTrue(log.indexOf("Main serving on") < log.indexOf("WarmUp warm-up: "), log);
                assertTrue(log.contains("run 12 times on generated data (" + 12 * 6_748 + " rows, "), log);
                assertFalse(log.contains("warm-up failed"), log);
                // Before its rounds, what the first refresh would set up itself.
                assertTrue(log.indexOf("Main serving on") < log.indexOf("set up ahead of the first refresh, in "), log);
                assertTrue(log.indexOf("set up ahead of the first refresh, in ") < log.indexOf("WarmUp warm-up: "), log);
                assertFalse(log.contains("setting up ahead of the first refresh failed"), log);
                // ...including a first request through Javalin's routes, on a connector of its own,
                // which is neither logged nor counted as a request.
                assertTrue(log.contains("and a first request through the routes"), log);
                assertFalse(log.contains("path=" + WarmUp.ROUTE), log);
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest asked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
                client.send(asked, HttpResponse.BodyHandlers.discarding());
                // The second answer counts the first: requests are counted, the warm-up's is not.
                String metrics = client.send(asked, HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("route=\"/metrics\""), metrics);
                assertFalse(metrics.contains("route=\"" + WarmUp.ROUTE + "\""), metrics);
            }
        }
    }

    /**
     * Malformed requests Jetty refuses before any route (a bad Host, two of them) are answered 400
     * as problem details, and log no WARN: Jetty's parser logged one for each, so any client could
     * fill the log with warnings that are its own fault.
     */
    @Test
    void malformedRequestsAreRefusedWithoutAWarningEach() throws Exception {
        Map<String, String> env = new HashMap<>(TestWarehouse.environment(TestWarehouse.newDatabase()));
        env.put("PORT", "0");
        env.put("REFRESH_TOKEN", "a-token");
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            RawHttp http = new RawHttp("127.0.0.1", service.awaitServing());
            List<List<String>> hosts = List.of(List.of("Host: x:99999"), List.of("Host: x:b"), List.of("Host: x:-1"),
                List.of("Host: [::1"), List.of("Host: :80"), List.of("Host: a", "Host: b"));
            for (int round = 0; round < 5; round++) {
                for (List<String> host : hosts) {
                    String request = "GET /ratios HTTP/1.1\r\n" + String.join("\r\n", host)
                        + "\r\nConnection: close\r\n\r\n";
                    RawHttp.Answer answer = http.send(request.getBytes(StandardCharsets.US_ASCII));
                    assertEquals(400, answer.status(), host + ": " + answer.statusLine());
                    assertEquals("application/problem+json;charset=utf-8", answer.header("Content-Type"),
                        host.toString());
                }
            }
            assertEquals(200, http.get("/ratios").status());
            service.awaitLog("path=/ratios route=/ratios status=200", Duration.ofSeconds(10));
            List<String> warnings = service.log().lines()
                .filter(line -> line.matches("\\S+ (WARN|ERROR) .*")).toList();
            assertEquals(List.of(), warnings);
        }
    }

    /** Starts serve with {@code env}, waits until it serves, SIGTERMs it, and answers its whole stderr. */
    private static String serveThenSigterm(Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("PORT", "0");
        try (ServiceProcess service = ServiceProcess.start("serve", all)) {
            service.awaitServing();
            service.sigterm();
            service.awaitExit(Duration.ofSeconds(60));
            return service.log();
        }
    }

    private static String lastLine(String text) {
        return text.lines().reduce((first, last) -> last).orElse("");
    }

    @Test
    void theRefreshCommandsLastLinesReachStderrBeforeItExits() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            String err;
            try (ServiceProcess refresh = ServiceProcess.start("refresh", TestWarehouse.environment(
                    upstream.serveFixtureSources(TestWarehouse.newDatabase())))) {
                assertEquals(0, refresh.awaitExit(Duration.ofSeconds(60)), refresh.log());
                err = refresh.log();
            }

            // LogConfiguration's format, and the refresh's last INFO lines, all there.
            assertTrue(err.lines().anyMatch(line -> line.matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  RefreshService run=1 refresh started")), err);
            assertTrue(err.contains("INFO  RefreshService refresh 1 succeeded in "), err);
            assertTrue(err.lines().anyMatch(line -> line.contains("INFO  RefreshService refresh 1 steps: record start ")
                && line.endsWith(" ms")), err);
        }
    }

    /**
     * SIGTERM to the refresh command while a source has not answered: the refresh stops, rolls
     * back and is on record as a shutdown before the JVM ends (it stayed 'running' before, until
     * the next start closed it as abandoned), and stderr says so.
     */
    @Test
    void theRefreshCommandStoppedBySigtermIsRecordedAsAShutdown() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            URI silent = upstream.serveSilently("/silent/moderna.csv", asked, released);
            Config held = ConfigBuilder.from(config).moderna(silent).build();
            try (ServiceProcess refresh = ServiceProcess.start("refresh", TestWarehouse.environment(held))) {
                assertTrue(asked.await(60, TimeUnit.SECONDS), "moderna was never asked for:\n" + refresh.log());
                refresh.sigterm();
                refresh.awaitExit(Duration.ofSeconds(30));
                assertTrue(refresh.log().contains("refresh failed, the product is unchanged: "
                    + SourceAbandonedException.SHUTTING_DOWN), refresh.log());
            } finally {
                released.countDown();
            }
            Map<String, String> env = TestWarehouse.environment(config);
            assertEquals("failed|" + SourceAbandonedException.SHUTTING_DOWN, TestWarehouse.text(env,
                "select status || '|' || error from dwh.refresh_runs order by run_id desc limit 1"));
        }
    }

    /**
     * A SIGTERM during the start on an external warehouse (here right after the migrations of a
     * new database): the JVM ended wherever the start was, with no word of it, since no hook of
     * ours waited; the last line was the migrations'. Now the start stops at its next step,
     * closes its pool and says so: the service in its log's last line, the refresh command on
     * stderr (no refresh began, so none is on record), and with --json the 503 a refresh stopped
     * by a shutdown answers. Nothing failed: no WARN, ERROR or stack trace.
     */
    @Test
    void aSignalDuringTheStartOnAnExternalWarehouseStopsItThereAndSaysSo() throws Exception {
        for (List<String> command : List.of(List.of("serve"), List.of("refresh", "--json"))) {
            Config config = TestWarehouse.newDatabase();
            int exit;
            String err;
            String out;
            try (ServiceProcess start = ServiceProcess.start(command, TestWarehouse.environment(config))) {
                start.awaitLog("INFO  Migrations applied", Duration.ofSeconds(60));
                start.sigterm();
                exit = start.awaitExit(Duration.ofSeconds(60));
                err = start.log();
                out = start.stdout();
            }
            assertEquals(143, exit, command + ": " + err);
            assertFalse(err.contains("\tat ") || err.contains(" WARN ") || err.contains(" ERROR ")
                || err.contains("error:"), command + ": " + err);
            assertTrue(err.contains("INFO  StartSteps asked to stop during the start: stopping after the step under way"),
                command + ": " + err);
            if (command.get(0).equals("serve")) {
                assertTrue(lastLine(err).endsWith("INFO  Main stopped during the start, as asked; it did not serve"), err);
                assertEquals("", out);
            } else {
                assertEquals("stopped before the refresh began, as asked (SIGTERM or Ctrl-C): the product is unchanged",
                    lastLine(err), err);
                assertEquals("{\"type\":\"/problems/shutting-down\",\"title\":\"Service shutting down\",\"status\":503,"
                    + "\"detail\":\"The service was asked to end (SIGTERM or Ctrl-C) while it started, before the refresh "
                    + "began\"}\n", out);
                assertEquals("0", TestWarehouse.text(TestWarehouse.environment(config),
                    "select count(*) from dwh.refresh_runs"));
            }
        }
    }

    /** A blank REFRESH_TOKEN stops the process before anything starts: one line, exit 2, never an open refresh. */
    @Test
    void aBlankRefreshTokenRefusesToStart() throws Exception {
        try (ServiceProcess service = ServiceProcess.start("serve", Map.of("REFRESH_TOKEN", " ", "PORT", "0",
                "DB_HOST", "127.0.0.1", "DB_PORT", "1"))) {
            assertEquals(2, service.awaitExit(Duration.ofSeconds(60)), service.log());
            assertEquals(List.of("configuration error: REFRESH_TOKEN is set but blank: set a token, or unset the "
                + "variable to leave POST /refresh open"), service.log().lines().toList());
        }
    }

    /**
     * A value that would forge a log line, here a moderna header whose quoted name holds a line
     * break and a whole fake log line, is written on the line that logs it, escaped: with the
     * production logging (LogConfiguration), stderr has no line that the source wrote.
     */
    @Test
    void aLoggedValueCannotForgeALogLine() throws Exception {
        String forged = "\n2026-01-01T00:00:00.000Z ERROR Forged line";
        byte[] moderna = ("\"jurisdic" + forged + "\",\"week_of_allocations\",\"_1st_dose_allocations\","
            + "\"_2nd_dose_allocations\"\n\"New York\",\"2021-01-04T00:00:00.000\",\"1000\",\"1000\"\n")
            .getBytes(StandardCharsets.UTF_8);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            config = ConfigBuilder.from(config).moderna(upstream.serve("/forged.csv", moderna)).build();
            String err;
            try (ServiceProcess refresh = ServiceProcess.start("refresh", TestWarehouse.environment(config))) {
                assertEquals(1, refresh.awaitExit(Duration.ofSeconds(60)), refresh.log());
                err = refresh.log();
            }

            String shown = "\\n2026-01-01T00:00:00.000Z ERROR Forged line";
            List<String> logged = err.lines().filter(line -> line.contains("Forged line")).toList();
            assertFalse(logged.isEmpty(), err);
            logged.forEach(line -> assertTrue(line.contains(shown), "not escaped: " + line + "\n" + err));
            assertEquals(1, logged.stream().filter(line -> line.matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  RefreshService run=1 refresh failed.*"))
                .count(), err);
            assertFalse(err.lines().anyMatch(line -> line.startsWith("2026-01-01T00:00:00.000Z")), err);
        }
    }
}
