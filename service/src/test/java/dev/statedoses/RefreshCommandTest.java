package dev.statedoses;

import static dev.statedoses.CommandLine.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.FixtureEnvironment;
import dev.statedoses.support.TestWarehouse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `java -jar service.jar refresh`: the command line's own entry point, on a real warehouse and real HTTP. */
class RefreshCommandTest {

    @RegisterExtension
    static final FixtureEnvironment fixtures = new FixtureEnvironment();

    @Test
    void refreshPrintsTheProductInAlignedColumnsAndTheExclusions() {
        Run run = run(fixtures.env(), "refresh");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        String header = lines.get(0);
        assertEquals("state                 state_code  population  doses_moderna  doses_pfizer  doses_total"
            + "  people_per_dose", header);
        String newYork = lines.stream().filter(l -> l.startsWith("New York ")).findFirst().orElseThrow();
        assertEquals("New York              NY                6000           3500          4000         7500"
            + "           0.8000", newYork);
        String alaska = lines.stream().filter(l -> l.startsWith("Alaska ")).findFirst().orElseThrow();
        assertEquals("Alaska                AK                 900              0             0            0", alaska);
        assertEquals(52, lines.indexOf(""), "51 state rows after the header, then a blank line");
        assertTrue(run.out().contains("Doses not in any state row (2130 of 13930 allocated):"), run.out());
        assertTrue(run.out().contains("Federal Entities  federal                           1400           600"
            + "         2000"), run.out());
        assertTrue(run.out().contains("completeness_moderna          warn    week 2020-12-28 has 2 of 6 jurisdictions"),
            run.out());
        assertTrue(run.out().contains("reconciliation                pass    13930 doses in the sources = 11800 in state rows"
            + " + 2130 excluded"), run.out());
    }

    /**
     * A refresh whose every source is as the last successful one loaded it builds nothing and runs
     * no check: its output says so, and says whose checks it shows, rather than reading like a
     * rebuild.
     */
    @Test
    void anUnchangedRefreshSaysSoAndWhoseChecksItShows() {
        assertEquals(0, run(fixtures.env(), "refresh").code());
        Run again = run(fixtures.env(), "refresh");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("\nData checks (of the refresh that built the kept product):\n"), again.out());
        assertTrue(again.out().contains(" ms, unchanged: every source is as the last successful refresh loaded it, "
            + "and its product (above) is kept; 51 state rows, from:\n"), again.out());
        List<String> sources = again.out().lines().filter(l -> l.startsWith("  moderna: ")
            || l.startsWith("  pfizer: ") || l.startsWith("  population: ")).toList();
        assertEquals(3, sources.size(), again.out());
        sources.forEach(line -> assertTrue(line.endsWith(" (unchanged)"), line));
    }

    @Test
    void aFailedRefreshSaysWhyAndExitsNonZero() {
        Map<String, String> broken = new HashMap<>(fixtures.env());
        broken.put("PFIZER_URL", fixtures.upstream().url("/missing.csv").toString());
        Run run = run(broken, "refresh");
        assertEquals(1, run.code());
        assertEquals("", run.out());
        // Then the run that holds the same words in the run log.
        String failed = "failed|pfizer source (" + fixtures.upstream().url("/missing.csv") + "): upstream answered HTTP 404";
        String runId = TestWarehouse.text(broken, "select max(run_id) from dwh.refresh_runs");
        assertEquals(failed, TestWarehouse.text(broken,
            "select status || '|' || error from dwh.refresh_runs where run_id = " + runId));
        assertTrue(run.err().contains("refresh failed, the product is unchanged: " + failed.substring("failed|".length())
            + " [run " + runId + "]\n"), run.err());
    }

    /** With --json, stdout has what POST /refresh answers for the same failure: its problem details. */
    @Test
    void aFailedRefreshWithJsonPrintsItsProblemDetails() throws Exception {
        Map<String, String> broken = new HashMap<>(fixtures.env());
        broken.put("PFIZER_URL", fixtures.upstream().url("/missing.csv").toString());
        Run run = run(broken, "refresh", "--json");
        assertEquals(1, run.code());
        Map<?, ?> problem = Wiring.objectMapper().readValue(run.out(), Map.class);
        assertEquals("/problems/source-unavailable", problem.get("type"));
        assertEquals(502, problem.get("status"));
        assertEquals("pfizer", problem.get("source"));
        assertEquals(fixtures.upstream().url("/missing.csv").toString(), problem.get("url"));
        assertTrue(((String) problem.get("detail")).endsWith("upstream answered HTTP 404"), run.out());
        // The run it is on record as, as POST /refresh's answer names it.
        long runId = Long.parseLong(TestWarehouse.text(broken, "select max(run_id) from dwh.refresh_runs"));
        assertEquals(runId, ((Number) problem.get("run_id")).longValue(), run.out());
        assertEquals("/refreshes/" + runId, problem.get("instance"));
        assertEquals(problem.get("detail"), TestWarehouse.text(broken,
            "select error from dwh.refresh_runs where status = 'failed' and run_id = " + runId));
        assertTrue(run.err().contains("refresh failed, the product is unchanged: pfizer source"), run.err());
    }

    @Test
    void anUnknownCommandOrBadSettingIsAUsageError() {
        assertEquals(2, run(fixtures.env(), "frobnicate").code());
        Map<String, String> badPort = new HashMap<>(fixtures.env());
        badPort.put("PORT", "eighty");
        Run run = run(badPort, "refresh");
        assertEquals(2, run.code());
        assertEquals("configuration error: PORT must be a whole number, not 'eighty'", run.err().strip());
    }

    /** A blank REFRESH_TOKEN must never mean "no token": neither command runs, and nothing serves. */
    @Test
    void aBlankRefreshTokenRefusesToStart() {
        for (String blank : List.of("", "   ", "\t")) {
            Map<String, String> blankToken = new HashMap<>(fixtures.env());
            blankToken.put("REFRESH_TOKEN", blank);
            blankToken.put("PORT", "0"); // were it to serve after all, on no port anyone uses
            for (String command : List.of("serve", "refresh")) {
                Run run = run(blankToken, command);
                assertEquals(2, run.code(), command + " with REFRESH_TOKEN='" + blank + "': " + run.err());
                assertEquals("", run.out());
                assertEquals("configuration error: REFRESH_TOKEN is set but blank: set a token, or unset the "
                    + "variable to leave POST /refresh open", run.err().strip());
            }
        }
    }

    /**
     * A DATABASE_URL port the driver refuses is a wrong setting, as DB_PORT=99999 is: exit 2 and
     * one line, not a failed refresh (exit 1, "Failed to get driver instance", the driver's own
     * warnings).
     */
    @Test
    void aDatabaseUrlWithAPortOutOfRangeIsAWrongSetting() {
        for (String port : List.of("99999", "0")) {
            Map<String, String> env = new HashMap<>(fixtures.env());
            env.remove("DB_HOST");
            env.remove("DB_PORT");
            env.put("DATABASE_URL", "postgresql://postgres:secretpw@127.0.0.1:" + port + "/db");
            env.put("PORT", "0");
            for (String command : List.of("refresh", "serve")) {
                Run run = run(env, command);
                assertEquals(2, run.code(), command + " " + port + ": " + run.err());
                assertEquals("", run.out());
                assertEquals(List.of("configuration error: DATABASE_URL must look like postgresql://user:password@"
                    + "host:5432/database?sslmode=require (or postgres://, or jdbc:postgresql://): its port must be a "
                    + "number from 1 to 65535"), run.err().lines().toList());
            }
        }
    }

    @Test
    void aConfigurationErrorIsOneLineWhateverTheValue() {
        Map<String, String> badPort = new HashMap<>(fixtures.env());
        badPort.put("PORT", "80\n2026-01-01T00:00:00.000Z ERROR Forged line");
        Run run = run(badPort, "refresh");
        assertEquals(2, run.code());
        assertEquals(List.of("configuration error: PORT must be a whole number, not "
            + "'80\\n2026-01-01T00:00:00.000Z ERROR Forged line'"), run.err().lines().toList());
    }
}
