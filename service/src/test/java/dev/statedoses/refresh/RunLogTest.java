package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.ReaderRole;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The run log never says "running" for a run no process runs: a run's end is recorded when it
 * ends (later, when the warehouse was away then), and a run whose process stopped is closed as
 * abandoned by the next start or refresh of any instance, while a run another instance is still
 * doing stays running, whatever other logins of the warehouse do meanwhile.
 */
class RunLogTest {

    private static final String ABANDONED = "abandoned: the process that ran it stopped before it finished";
    /** The advisory key a refresh once held as the sign that it was alive ("StateDos"). */
    private static final long FORMER_REFRESH_KEY = 0x5374_6174_6544_6f73L;

    /** A run row as a process leaves it that dies mid-refresh: running, no end. */
    private static long leaveARunRunning(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery(
                "insert into dwh.refresh_runs (status, started_at) values ('running', now()) returning run_id")
            .mapTo(Long.class).one());
    }

    private static Map<String, Object> run(Jdbi jdbi, long runId) {
        return jdbi.withHandle(h -> h.createQuery(
                "select status, error, finished_at from dwh.refresh_runs where run_id = :run")
            .bind("run", runId).mapToMap().one());
    }

    /** A session of the read-only login (the test server trusts local logins), as an analyst's psql is. */
    private static Connection reader(Config config) throws SQLException {
        return DriverManager.getConnection(TestWarehouse.jdbcUrl(config), ReaderRole.NAME, "");
    }

    private static String text(Connection session, String sql) throws SQLException {
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void await(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "not within " + timeout.toSeconds() + " s: " + what);
            Thread.sleep(100);
        }
    }

    @Test
    void aRunLeftRunningByAStoppedProcessIsClosedByTheNextStart() throws Exception {
        Config config = TestWarehouse.newDatabase();
        long runId;
        try (RunningApp first = RunningApp.start(config)) {
            runId = leaveARunRunning(first.wiring().warehouse().jdbi());
        }
        try (RunningApp next = RunningApp.start(config)) {
            Jdbi jdbi = next.wiring().warehouse().jdbi();
            await("run " + runId + " closed", Duration.ofSeconds(10), () -> "failed".equals(run(jdbi, runId).get("status")));
            assertEquals(ABANDONED, run(jdbi, runId).get("error"));
            assertNotNull(run(jdbi, runId).get("finished_at"));
            next.given().get("/refreshes/" + runId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("error", org.hamcrest.Matchers.equalTo(ABANDONED));
        }
    }

    @Test
    void theNextRefreshClosesRunsLeftRunning() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            Jdbi jdbi = app.wiring().warehouse().jdbi();
            long before = leaveARunRunning(jdbi);
            long refreshed = app.given().post("/refresh").then().statusCode(200).extract().jsonPath().getLong("run_id");
            assertEquals("failed", run(jdbi, before).get("status"));
            assertEquals(ABANDONED, run(jdbi, before).get("error"));
            assertEquals("succeeded", run(jdbi, refreshed).get("status"));
        }
    }

    /** A start while another instance refreshes must not close that refresh's run: it is alive. */
    @Test
    void aRunAnotherInstanceIsDoingStaysRunningThroughAStart() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config held = ConfigBuilder.from(config).moderna(hold.url()).build();
            try (RunningApp refreshing = RunningApp.start(held)) {
                CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(
                    () -> refreshing.given().post("/refresh").statusCode());
                hold.awaitRequested();
                Jdbi jdbi = refreshing.wiring().warehouse().jdbi();
                long runId = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                    .mapTo(Long.class).one());
                try (RunningApp starting = RunningApp.start(config)) {
                    Thread.sleep(2_500); // the start looks for dead runs at once, then every second
                    assertEquals("running", run(jdbi, runId).get("status"), "a live run was closed");
                    hold.release();
                    assertEquals(200, refresh.get(30, TimeUnit.SECONDS));
                }
                assertEquals("succeeded", run(jdbi, runId).get("status"));
            } finally {
                hold.release();
            }
        }
    }

    /**
     * A login that may only read (the audit's reproduction) holds the advisory key a refresh once
     * took as its sign of life, so the refresh runs without it, and lets go mid-refresh: the sweep
     * every instance runs every 15 s must still see the refresh alive. It closed the live run as
     * abandoned, and a client polling the run was told of a failure of a refresh that succeeded.
     */
    @Test
    void aLiveRunStaysRunningWhenAReaderLetsGoOfTheFormerRefreshKey() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = ConfigBuilder.from(upstream.serveFixtureSources(TestWarehouse.newDatabase()))
                .moderna(hold.url()).build();
            try (RunningApp app = RunningApp.start(config); Connection reader = reader(config)) {
                assertEquals("t", text(reader, "select pg_try_advisory_lock(" + FORMER_REFRESH_KEY + ")"));
                Response accepted = app.given().header("Prefer", "respond-async").queryParam("force", "true")
                    .post("/refresh");
                accepted.then().statusCode(202);
                String location = accepted.header("Location");
                hold.awaitRequested(); // the refresh is live: it waits for moderna's body
                app.given().get(location).then().statusCode(200).body("status", equalTo("running"));

                assertEquals("t", text(reader, "select pg_advisory_unlock(" + FORMER_REFRESH_KEY + ")"));
                // What the sweep every 15 s runs.
                boolean stillRunning = app.wiring().refreshes().runs().closeAbandoned();
                app.given().get(location).then().statusCode(200)
                    .body("status", equalTo("running"))
                    .body("error", nullValue())
                    .body("finished_at", nullValue());
                assertTrue(stillRunning, "the sweep saw no run left running");

                hold.release();
                await("the refresh ended", Duration.ofSeconds(30),
                    () -> !"running".equals(app.given().get(location).jsonPath().getString("status")));
                JsonPath done = app.given().get(location).jsonPath();
                assertEquals("succeeded", done.getString("status"));
                assertNull(done.getString("error"));
                assertEquals(51, done.getInt("state_rows"));
                assertFalse(app.wiring().refreshes().runs().closeAbandoned(), "no run is left running");
                app.given().get(location).then().body("status", equalTo("succeeded"));
            } finally {
                hold.release();
            }
        }
    }

    /**
     * What the read-only login can hold of the refresh's sign of life: the table lock a refresh
     * holds with its row lock, taken when PostgreSQL analyses a statement (here one prepared in an
     * open transaction) before it checks privileges. It keeps a dead run open only until the
     * session lets go: no refresh needs it, and the next sweep closes the run.
     */
    @Test
    void aReadersLockOnTheRefreshLockTableDelaysClosingADeadRunOnlyUntilItLetsGo() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (RunningApp app = RunningApp.start(config); Connection reader = reader(config)) {
            Jdbi jdbi = app.wiring().warehouse().jdbi();
            reader.setAutoCommit(false);
            try (Statement s = reader.createStatement()) {
                s.execute("prepare held as select only_row from dwh.refresh_lock for update");
            }
            assertEquals("RowShareLock", text(reader, "select string_agg(mode, ', ') from pg_locks "
                + "where pid = pg_backend_pid() and relation = 'dwh.refresh_lock'::regclass and granted"));
            long runId = leaveARunRunning(jdbi);

            assertTrue(app.wiring().refreshes().runs().closeAbandoned());
            assertEquals("running", run(jdbi, runId).get("status"));
            reader.rollback(); // it lets go

            assertFalse(app.wiring().refreshes().runs().closeAbandoned());
            assertEquals("failed", run(jdbi, runId).get("status"));
            assertEquals(ABANDONED, run(jdbi, runId).get("error"));
        }
    }

    /**
     * The warehouse goes away in the middle of a refresh: the failure cannot be recorded then, so
     * it is recorded when the warehouse is back, with its real reason; the run is never left
     * running, and never marked with a reason other than its own.
     */
    @Test
    void aFailureTheWarehouseCouldNotTakeIsRecordedWhenItIsBack() throws Exception {
        try (FixtureServer upstream = FixtureServer.start(); StoppableWarehouse warehouse = StoppableWarehouse.start()) {
            FixtureServer.Hold hold = upstream.serveHeld("/held/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = warehouse.configure(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
            config = ConfigBuilder.from(config).moderna(hold.url()).build();
            try (RunningApp app = RunningApp.start(config)) {
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(
                    () -> app.given().post("/refresh").statusCode());
                hold.awaitRequested();
                long runId = jdbi.withHandle(h -> h.createQuery("select max(run_id) from dwh.refresh_runs")
                    .mapTo(Long.class).one());
                warehouse.stop();
                hold.release();
                int status = refresh.get(60, TimeUnit.SECONDS);
                assertTrue(status == 503 || status == 500, "status " + status);
                warehouse.restart();
                await("run " + runId + " recorded as failed", Duration.ofSeconds(30), () -> {
                    try {
                        return "failed".equals(run(jdbi, runId).get("status"));
                    } catch (RuntimeException stillStarting) {
                        return false;
                    }
                });
                Map<String, Object> failed = run(jdbi, runId);
                assertNotNull(failed.get("finished_at"));
                String error = (String) failed.get("error");
                assertFalse(error.startsWith("abandoned"), error);
                assertFalse(error.isBlank(), error);
            } finally {
                hold.release();
            }
        }
    }
}
