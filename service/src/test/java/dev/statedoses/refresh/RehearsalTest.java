package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rehearsal of a refresh after a start ({@link Rehearsal}, RefreshService#rehearse): it runs a
 * whole refresh on the last good load, served from this process, and leaves the warehouse exactly
 * as it was; it needs a load; and a refresh asked for meanwhile waits for it instead of being
 * turned away. The numbers are the fixtures' (fixtures/README.md): rows moderna 8, pfizer 7,
 * population 53; 51 state rows.
 */
class RehearsalTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** Everything a refresh writes, as text: the product, the runs and their records, the raw tables, the run numbers. */
    private static final List<String> WRITTEN = List.of(
        "select * from dwh.state_doses order by state",
        "select * from dwh.state_doses_weekly order by state, week",
        "select * from dwh.refresh_runs order by run_id",
        "select * from dwh.refresh_run_sources order by run_id, source",
        "select * from dwh.refresh_checks order by run_id, name",
        "select * from dwh.refresh_exclusions order by run_id, jurisdiction",
        "select * from dwh.refresh_run_totals order by status",
        "select * from raw.cdc_moderna_allocations order by line",
        "select * from raw.cdc_pfizer_allocations order by line",
        "select * from raw.county_population order by line",
        "select last_value, is_called from dwh.refresh_runs_run_id_seq");

    @Test
    void itRunsAWholeRefreshOnTheLastLoadAndLeavesTheWarehouseAsItWas() throws Exception {
        List<String> before = written();

        Rehearsal.Outcome outcome = loaded.app().wiring().refreshes().rehearse();

        assertNull(outcome.skipped(), outcome.describe());
        assertNull(outcome.failed(), outcome.describe());
        // The fixtures' 8 + 7 + 53 rows, written back from the raw tables, fetched and loaded again,
        // and the 51 state rows built from them.
        assertEquals(68, outcome.rows());
        assertEquals(51, outcome.stateRows());
        assertEquals(before, written(), "the rehearsal's transaction was rolled back, run 0 with it");

        // The next refresh is the next number: the rehearsal took none from the runs' sequence.
        long lastRun = loaded.given().get("/refreshes").then().statusCode(200).extract().jsonPath()
            .getLong("[0].run_id");
        loaded.given().post("/refresh?force=true").then().statusCode(200)
            .body("run_id", equalTo((int) lastRun + 1)).body("status", equalTo("succeeded"));
        loaded.given().get("/ratios/VT").then().statusCode(200).body("people_per_dose", equalTo(1.7629f));
    }

    @Test
    void withoutALoadInTheRawTablesItIsSkipped() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.sourcesOnNewDatabase())) {
            Rehearsal.Outcome outcome = app.wiring().refreshes().rehearse();
            assertEquals("no load in the raw tables yet", outcome.skipped());
            assertEquals(0, outcome.rows());
        }
    }

    /**
     * A refresh asked for while a rehearsal holds this process's refresh lock waits for it, and
     * runs: a rehearsal is no refresh under way, and a 409 saying so would not be true. The test
     * holds a lock on a raw table, so that the rehearsal waits at its truncate (up to its 1 s lock
     * timeout); the refresh is asked for meanwhile, and the lock let go within that second.
     */
    @Test
    void aRefreshAskedForDuringARehearsalWaitsForIt() throws Exception {
        Jdbi jdbi = loaded.app().wiring().warehouse().jdbi();
        try (Connection holder = connect()) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("lock table raw.cdc_moderna_allocations in access share mode");
            }
            CompletableFuture<Rehearsal.Outcome> rehearsal =
                CompletableFuture.supplyAsync(() -> loaded.app().wiring().refreshes().rehearse());
            awaitWaitingOnALock(jdbi);
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                () -> loaded.given().post("/refresh?force=true").andReturn());
            Thread.sleep(200);
            assertTrue(!refresh.isDone(), "the refresh waits for the rehearsal");
            holder.commit();

            // The rehearsal itself ends either way: done, or (on a machine too slow to get here
            // within its 1 s lock timeout) failed at the lock, rolled back. Neither is a refresh.
            assertNull(rehearsal.get(20, TimeUnit.SECONDS).skipped());
            Response answered = refresh.get(20, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.asString());
            assertEquals("succeeded", answered.jsonPath().getString("status"));
        }
    }

    /**
     * Another instance's refreshes, while this one rehearses over and over (as several instances
     * restarted one after another do): every refresh succeeds. They deadlocked: the refresh kept
     * its unchanged Moderna rows (reading them) and waited to empty the Pfizer table, which the
     * rehearsal had read, while the rehearsal waited to empty the Moderna table; PostgreSQL failed
     * one of them, sometimes the refresh (a 503, a failed run). Each of the other instance's
     * refreshes has one source changed (the Pfizer file in LF and CRLF by turns) and the others
     * unchanged, as in that case.
     */
    @Test
    void anotherInstancesRefreshesBesideRehearsalsAllSucceed() throws Exception {
        String pfizer = new String(Fixtures.bytes("pfizer.csv"), StandardCharsets.UTF_8);
        long before = loaded.jdbi().withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
            .mapTo(Long.class).one());
        List<String> answers = new ArrayList<>();
        List<Rehearsal.Outcome> rehearsals = new ArrayList<>();
        try (RunningApp other = RunningApp.start(loaded.config())) {
            AtomicBoolean refreshing = new AtomicBoolean(true);
            CompletableFuture<Void> rehearsing = CompletableFuture.runAsync(() -> {
                while (refreshing.get()) {
                    rehearsals.add(loaded.app().wiring().refreshes().rehearse());
                }
            });
            try {
                long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                for (int i = 0; System.nanoTime() < until; i++) {
                    String file = i % 2 == 0 ? pfizer.replace("\n", "\r\n") : pfizer;
                    loaded.upstream().serve("/pfizer.csv", file.getBytes(StandardCharsets.UTF_8));
                    Response answer = other.given().post("/refresh").andReturn();
                    answers.add(answer.statusCode() + " " + answer.jsonPath().getString("status")
                        + (answer.statusCode() == 200 ? "" : ": " + answer.jsonPath().getString("detail")));
                }
            } finally {
                refreshing.set(false);
                rehearsing.get(30, TimeUnit.SECONDS);
                loaded.upstream().serve("/pfizer.csv", pfizer.getBytes(StandardCharsets.UTF_8));
            }
        }
        List<String> failed = answers.stream().filter(a -> !a.equals("200 succeeded")).toList();
        assertTrue(failed.isEmpty(), failed.size() + " of " + answers.size() + " refreshes failed: " + failed);
        assertTrue(answers.size() >= 5, "only " + answers.size() + " refreshes in 8 s");
        assertTrue(rehearsals.size() >= 5, "only " + rehearsals.size() + " rehearsals in 8 s");
        List<String> statuses = loaded.jdbi().withHandle(h -> h.createQuery(
                "select distinct status from dwh.refresh_runs where run_id > :before").bind("before", before)
            .mapTo(String.class).list());
        assertEquals(List.of("succeeded"), statuses, "the run log after run " + before);
        // A rehearsal that meets a refresh under way waits at most its second, and ends at the lock.
        for (Rehearsal.Outcome outcome : rehearsals) {
            assertTrue(outcome.failed() == null || !outcome.failed().contains("deadlock"), outcome.describe());
        }
    }

    private static void awaitWaitingOnALock(Jdbi jdbi) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            int waiting = jdbi.withHandle(h -> h.createQuery(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'truncate raw.%'")
                .mapTo(Integer.class).one());
            if (waiting > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the rehearsal never waited at the raw table's lock");
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(TestWarehouse.jdbcUrl(loaded.config()), loaded.config().dbUser(),
            loaded.config().dbPassword());
    }

    private static List<String> written() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = connect();
             Statement s = c.createStatement()) {
            for (String sql : WRITTEN) {
                StringBuilder rows = new StringBuilder(sql).append('\n');
                try (ResultSet rs = s.executeQuery(sql)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            rows.append(rs.getString(i)).append('|');
                        }
                        rows.append('\n');
                    }
                }
                tables.add(rows.toString());
            }
        }
        return tables;
    }
}
