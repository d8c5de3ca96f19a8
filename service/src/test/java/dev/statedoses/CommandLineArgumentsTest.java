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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
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
            "refresh --json --json", "error: option '--json' given twice for refresh",
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

    /**
     * A start with a change to make whose lock another login holds past the wait (the history of
     * a warehouse from before V14 to move, and its advisory key held, 10 s): one line naming the
     * session and what to do, exit 1, and no stack trace, for {@code serve} and {@code refresh};
     * {@code refresh --json} prints the 503 that {@code POST /refresh} answers while the warehouse
     * is unavailable.
     */
    @Test
    void aStartWhoseLockAnotherLoginHoldsIsOneClearLine() throws Exception {
        Map<String, String> env = new HashMap<>(fixtures.onNewDatabase());
        String url = "jdbc:postgresql://" + env.get("DB_HOST") + ":" + env.get("DB_PORT") + "/" + env.get("POSTGRES_DB");
        // History in public, as before it was pinned to dwh, at V13: no dwh.refresh_lock yet.
        Flyway.configure().dataSource(url, env.get("POSTGRES_USER"), env.get("POSTGRES_PASSWORD"))
            .locations("classpath:db/migration").target("13").load().migrate();
        TestWarehouse.asSuperuser("do $$ begin if not exists (select 1 from pg_roles where rolname = 'analyst') "
            + "then create role analyst login; end if; end $$");
        Properties login = new Properties();
        login.setProperty("user", "analyst");
        login.setProperty("password", "");
        login.setProperty("ApplicationName", "psql");
        try (Connection analyst = DriverManager.getConnection(url, login); Statement s = analyst.createStatement()) {
            s.execute("select pg_advisory_lock(6013538554989669497)");
            long pid;
            try (ResultSet r = s.executeQuery("select pg_backend_pid()")) {
                r.next();
                pid = r.getLong(1);
            }
            String message = "cannot move the migration history into schema dwh: advisory key 6013538554989669497 "
                + "(taken for it on a warehouse without dwh.refresh_lock), which any login may take, the read-only "
                + "one too, is still held after 10 s by pid " + pid + " (login analyst, application 'psql'). End that "
                + "session or let it finish (a superuser may end it: select pg_terminate_backend(<pid>)), then start "
                + "again";
            try (ServerSocket free = new ServerSocket(0)) {
                env.put("PORT", Integer.toString(free.getLocalPort()));
            }
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                assertEquals(1, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
                assertEquals(List.of("error: " + message), serve.log().lines().filter(l -> !l.matches(
                    "\\d{4}-\\d\\d-\\d\\dT\\S+ INFO .*")).toList(), serve.log());
            }
            Run run = run(env, "refresh", "--json");
            assertEquals(1, run.code(), run.err());
            assertTrue(run.err().contains("error: " + message + "\n"), run.err());
            JsonNode problem = Wiring.objectMapper().readTree(run.out());
            assertEquals(503, problem.get("status").asInt(), run.out());
            assertTrue(problem.get("type").asText().endsWith("/problems/warehouse-unavailable"), run.out());
            assertEquals(message, problem.get("detail").asText());
        }
    }
}
