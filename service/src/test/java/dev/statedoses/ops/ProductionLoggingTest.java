package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Main;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.TestWarehouse;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The service's own logging configuration (src/main/resources/logback.xml, which tests otherwise
 * replace with logback-test.xml): lines are buffered (BufferedStderrAppender), so a process that
 * ends with System.exit must still write every line it logged. The refresh command does exactly
 * that, and its last INFO lines come just before the exit.
 */
class ProductionLoggingTest {

    @Test
    void theRefreshCommandsLastLinesReachStderrBeforeItExits() throws Exception {
        URL config = Main.class.getResource("/logback.xml");
        assertTrue(config != null && "file".equals(config.getProtocol()), "no logback.xml in target/classes");
        try (FixtureServer upstream = FixtureServer.start()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java,
                "-Dlogback.configurationFile=" + Path.of(config.toURI()),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "refresh");
            builder.environment().putAll(TestWarehouse.environment(upstream.serveFixtureSources(
                TestWarehouse.newDatabase())));
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process refresh = builder.start();
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
