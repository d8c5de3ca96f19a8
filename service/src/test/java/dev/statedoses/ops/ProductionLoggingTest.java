package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Main;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.TestWarehouse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The service's own logging configuration (src/main/resources/logback.xml, which tests otherwise
 * replace with logback-test.xml): lines are buffered (BufferedStderrAppender), so a process must
 * still write every line it logged when it exits, by System.exit (the refresh command) or on
 * SIGTERM (the service, whose shutdown hook logs as it stops).
 */
class ProductionLoggingTest {

    /** Main in a JVM of its own, with the production logback.xml; stdout discarded. */
    private static Process start(String command, Map<String, String> env) throws Exception {
        URL config = Main.class.getResource("/logback.xml");
        assertTrue(config != null && "file".equals(config.getProtocol()), "no logback.xml in target/classes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Dlogback.configurationFile=" + Path.of(config.toURI()),
            "-cp", System.getProperty("java.class.path"), Main.class.getName(), command);
        builder.environment().putAll(env);
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    @Test
    void theServicesShutdownLinesReachStderrAfterSigterm() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(
                upstream.serveFixtureSources(TestWarehouse.newDatabase())));
            env.put("PORT", "0");
            Process service = start("serve", env);
            StringBuilder err = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(service.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        synchronized (err) {
                            err.append(line).append('\n');
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process is gone
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!text(err).contains("INFO  Main serving on http://localhost:") && System.nanoTime() < deadline) {
                assertTrue(service.isAlive(), "the service exited: " + text(err));
                Thread.sleep(100);
            }
            assertTrue(text(err).contains("serving on"), "the service did not start: " + text(err));
            // SIGTERM through the handle: Process.destroy() would also close our end of the
            // child's stderr at once, and the shutdown lines would have nowhere to go.
            service.toHandle().destroy();
            assertTrue(service.waitFor(60, TimeUnit.SECONDS), "the service did not stop");
            reader.join(10_000);
            String all = text(err);
            assertTrue(all.contains("INFO  Main shutting down"), all);
            assertTrue(all.lines().reduce((first, last) -> last).orElse("").endsWith("INFO  Main stopped"), all);
        }
    }

    private static String text(StringBuilder err) {
        synchronized (err) {
            return err.toString();
        }
    }

    @Test
    void theRefreshCommandsLastLinesReachStderrBeforeItExits() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Process refresh = start("refresh", TestWarehouse.environment(upstream.serveFixtureSources(
                TestWarehouse.newDatabase())));
            String err = new String(refresh.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(refresh.waitFor(60, TimeUnit.SECONDS), "the refresh command did not exit");
            assertEquals(0, refresh.exitValue(), err);

            // The format of logback.xml, and the refresh's last INFO lines, all there.
            assertTrue(err.lines().anyMatch(line -> line.matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  RefreshService run=1 refresh started")), err);
            assertTrue(err.contains("INFO  RefreshService refresh 1 succeeded in "), err);
            assertTrue(err.lines().anyMatch(line -> line.contains("INFO  RefreshService refresh 1 steps: record start ")
                && line.endsWith(" ms")), err);
        }
    }
}
