package dev.statedoses;

import static dev.statedoses.CommandLine.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.FixtureEnvironment;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as a command line: help and version without any configuration, every
 * unknown argument a usage error (exit 2, the usage on stderr, nothing run), {@code refresh --json}
 * for scripts, and a taken port as one line.
 */
class CommandLineArgumentsTest {

    /** An environment no command could run with: it proves help and version never read it. */
    private static final Map<String, String> BROKEN = Map.of("PORT", "eighty", "REFRESH_TOKEN", " ",
        "DB_HOST", "127.0.0.1", "DB_PORT", "1");

    @RegisterExtension
    static final FixtureEnvironment fixtures = new FixtureEnvironment();

    @ParameterizedTest
    @ValueSource(strings = {"--version", "version"})
    void versionPrintsTheVersionAndCommitWithoutAnyConfiguration(String arg) {
        Run run = run(BROKEN, arg);
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err());
        String line = run.out().strip();
        assertTrue(Pattern.matches("state-doses \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{12}|unknown)"
            + "(, built with uncommitted changes)?\\)", line), line);
        assertTrue(line.startsWith("state-doses " + BuildInfo.version() + " (commit " + BuildInfo.shortCommit()), line);
    }

    /** Help anywhere wins, and runs nothing: {@code refresh --help} used to run a refresh. */
    @Test
    void helpPrintsTheUsageWithoutAnyConfigurationAndRunsNothing() {
        for (List<String> args : List.of(List.of("help"), List.of("--help"), List.of("-h"), List.of("refresh", "--help"),
                List.of("serve", "-h"), List.of("refresh", "--json", "--help"))) {
            Run run = run(BROKEN, args.toArray(String[]::new));
            assertEquals(0, run.code(), args + ": " + run.err());
            assertEquals(Main.USAGE + "\n", run.out(), args.toString());
            assertEquals("", run.err(), args.toString());
        }
    }

    @Test
    void anUnknownCommandOrArgumentIsAUsageErrorAndRunsNothing() {
        Map<String, String> cases = Map.of(
            "frobnicate", "error: unknown command 'frobnicate'",
            "--frobnicate", "error: unknown option '--frobnicate'",
            "serve --port 9000", "error: unknown option '--port' for serve (the port is the environment's PORT: "
                + "PORT=9000 java -jar service.jar serve)",
            "serve now", "error: unexpected argument 'now' for serve",
            "refresh --force", "error: unknown option '--force' for refresh",
            "refresh --json --json", "error: unknown option '--json' for refresh",
            "refresh json", "error: unexpected argument 'json' for refresh",
            "version --short", "error: unknown option '--short' for version");
        // A working environment on a new database: had anything run, it would have migrated it.
        Map<String, String> fresh = fixtures.onNewDatabase();
        cases.forEach((args, message) -> {
            Run run = run(fresh, args.split(" "));
            assertEquals(2, run.code(), args);
            assertEquals("", run.out(), args);
            assertEquals(message + "\n" + Main.USAGE + "\n", run.err(), args);
        });
        assertEquals(null, TestWarehouse.text(fresh, "select to_regclass('dwh.refresh_runs')::text"),
            "a usage error touches no warehouse");
    }

    @Test
    void refreshJsonPrintsTheReportForScriptsAndIsRecordedAsCli() throws Exception {
        Run run = run(fixtures.env(), "refresh", "--json");
        assertEquals(0, run.code(), run.err());
        assertEquals(1, run.out().lines().count(), "one line of JSON: " + run.out());
        JsonNode report = Wiring.objectMapper().readTree(run.out());
        assertEquals(51, report.get("state_rows").asInt());
        assertEquals(13930, report.get("doses_in_sources").asLong());
        assertEquals(2130, report.get("doses_excluded").asLong());
        assertEquals("moderna", report.get("sources").get(0).get("source").asText());
        long runId = report.get("run_id").asLong();
        assertEquals("cli", TestWarehouse.text(fixtures.env(),
            "select trigger from dwh.refresh_runs where run_id = " + runId));
    }

    /** A taken port: one line saying so, exit 1, and no stack trace (it was 39 lines). */
    @Test
    void aTakenPortIsOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            Map<String, String> withPort = new HashMap<>(fixtures.env());
            withPort.put("PORT", Integer.toString(taken.getLocalPort()));
            try (ServiceProcess serve = ServiceProcess.start("serve", withPort)) {
                assertEquals(1, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
                List<String> lines = serve.log().lines().toList();
                assertEquals(List.of("error: port " + taken.getLocalPort() + " is already in use: stop what listens "
                    + "there, or set PORT to a free port"), lines.stream().filter(l -> !l.matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\S+ INFO .*")).toList(), serve.log());
                assertTrue(lines.size() <= 6, "a few INFO lines at most:\n" + serve.log());
            }
        }
    }
}
