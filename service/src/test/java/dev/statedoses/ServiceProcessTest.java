package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a process of its own, with its own logging configuration
 * (src/main/resources/logback.xml, which tests otherwise replace with logback-test.xml). Lines are
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
            assertTrue(lastLine(err).endsWith("INFO  Main stopped"), err);
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

            // The format of logback.xml, and the refresh's last INFO lines, all there.
            assertTrue(err.lines().anyMatch(line -> line.matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  RefreshService run=1 refresh started")), err);
            assertTrue(err.contains("INFO  RefreshService refresh 1 succeeded in "), err);
            assertTrue(err.lines().anyMatch(line -> line.contains("INFO  RefreshService refresh 1 steps: record start ")
                && line.endsWith(" ms")), err);
        }
    }
}
