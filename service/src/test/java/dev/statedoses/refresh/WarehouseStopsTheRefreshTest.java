package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The warehouse ending a refresh's work for a reason of its own: an administrator cancelling its
 * statement or ending its session. Either is the warehouse's condition, not a fault of the
 * service: a 503 to try again after (Retry-After), saying what happened, with the product kept
 * and the run recorded failed with the warehouse's own words. Both answered 500, "something
 * unexpected failed", before. Each refresh here waits at a lock the test holds on a raw table,
 * where the test finds its session and cancels or ends it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarehouseStopsTheRefreshTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void aRefreshWhoseStatementIsCancelledAnswers503() throws Exception {
        Response answer = stoppedBy("pg_cancel_backend");
        assertEquals(503, answer.statusCode(), answer.asString());
        assertEquals("The warehouse stopped the work: a statement was cancelled (by an administrator, or "
            + "statement_timeout) (SQLSTATE 57014); try again shortly", answer.jsonPath().getString("detail"));
        assertTrue(lastRunError().contains("canceling statement due to user request"), lastRunError());
    }

    @Test
    void aRefreshWhoseSessionIsEndedAnswers503() throws Exception {
        Response answer = stoppedBy("pg_terminate_backend");
        assertEquals(503, answer.statusCode(), answer.asString());
        assertEquals(RefreshFailure.WAREHOUSE_UNAVAILABLE, answer.jsonPath().getString("detail"));
        assertTrue(lastRunError().startsWith(RefreshFailure.WAREHOUSE_UNAVAILABLE + " ("), lastRunError());
    }

    /**
     * A session an administrator ended is one connection of a warehouse that answers: the run is
     * on record as failed soon after its caller is told so, and a refresh asked for then runs.
     * The service took it for an outage it asked about again only a second later: a refresh
     * asked for meanwhile was refused 503 without a run, and the run stayed 'running' for the
     * 3 s until the recovery's next try.
     */
    @Test
    void aSessionEndedIsNoOutageForTheNextRefresh() throws Exception {
        long runId;
        long answered;
        try (Handle analyst = loaded.app().wiring().warehouse().jdbi().open()) {
            analyst.begin();
            analyst.execute("lock table raw.cdc_moderna_allocations in access share mode");
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                () -> loaded.given().post("/refresh?force=true"));
            int pid = waiting(analyst);
            assertTrue(analyst.createQuery("select pg_terminate_backend(:pid)").bind("pid", pid)
                .mapTo(Boolean.class).one());
            Response answer = refresh.get(30, TimeUnit.SECONDS);
            answered = System.nanoTime();
            analyst.rollback();
            assertEquals(503, answer.statusCode(), answer.asString());
            runId = answer.jsonPath().getLong("run_id");
        }
        String status = runStatus(runId);
        while ("running".equals(status) && System.nanoTime() - answered < TimeUnit.SECONDS.toNanos(2)) {
            Thread.sleep(50);
            status = runStatus(runId);
        }
        assertEquals("failed", status, "run " + runId + " two seconds after its caller was told it failed");
        loaded.given().post("/refresh?force=true").then().statusCode(200);
    }

    /** Read on a connection of the test's own: the app's pool is what is under test. */
    private static String runStatus(long runId) {
        return TestWarehouse.jdbi(loaded.config()).withHandle(h -> h.createQuery(
            "select status from dwh.refresh_runs where run_id = :id").bind("id", runId).mapTo(String.class).one());
    }

    /**
     * Holds a lock on the Moderna raw table, asks for a refresh, and once it waits there, stops
     * its session with {@code function}; answers the refresh's answer, having checked what every
     * case must: a problem of type warehouse-unavailable with a Retry-After, the product kept,
     * the run closed as failed with the detail at the start of its error.
     */
    private Response stoppedBy(String function) throws Exception {
        String before = served();
        Response answer;
        try (Handle analyst = loaded.app().wiring().warehouse().jdbi().open()) {
            analyst.begin();
            analyst.execute("lock table raw.cdc_moderna_allocations in access share mode");
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                () -> loaded.given().post("/refresh?force=true"));
            int pid = waiting(analyst);
            assertTrue(analyst.createQuery("select " + function + "(:pid)").bind("pid", pid)
                .mapTo(Boolean.class).one(), function);
            answer = refresh.get(30, TimeUnit.SECONDS);
            analyst.rollback();
        }
        assertTrue(answer.contentType().startsWith("application/problem+json"), answer.contentType());
        assertEquals("/problems/warehouse-unavailable", answer.jsonPath().getString("type"));
        assertEquals("10", answer.header("Retry-After"));
        assertEquals(before, served(), "the product changed");
        Map<String, Object> run = lastRunEnded();
        assertEquals("failed", run.get("status"));
        assertEquals(true, run.get("finished"));
        assertTrue(((String) run.get("error")).startsWith(answer.jsonPath().getString("detail")), run.toString());
        return answer;
    }

    /** The pid of the session waiting at the test's lock: the refresh's, at the Moderna raw table. */
    private static int waiting(Handle analyst) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Integer pid = analyst.createQuery("select min(pid) from pg_stat_activity where datname = current_database() "
                + "and wait_event_type = 'Lock' and pid <> pg_backend_pid()").mapTo(Integer.class).one();
            if (pid != null) {
                return pid;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the refresh never waited at the lock: " + analyst.createQuery(
            "select pid, state, wait_event_type, left(query, 80) as query from pg_stat_activity "
                + "where datname = current_database()").mapToMap().list());
    }

    /**
     * GET /ratios once the app has looked at the warehouse's product. A session ended is taken
     * for an outage, which the service asks about again once a second: the look waits for that.
     */
    private static String served() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                loaded.app().wiring().product().productMayHaveChanged();
                return loaded.given().get("/ratios").then().statusCode(200).extract().asString();
            } catch (RuntimeException | AssertionError away) {
                if (System.nanoTime() > deadline) {
                    throw away;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Map<String, Object> lastRun() {
        return loaded.app().wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select status, error, finished_at is not null as finished from dwh.refresh_runs "
                    + "order by run_id desc limit 1")
            .mapToMap().one());
    }

    /**
     * The last run, once it is no longer running. With its session ended, the refresh's first try
     * at recording its failure meets the outage the service then takes the warehouse to be in
     * (asked again once a second); the run log's recovery records it at its next try, 3 s later.
     */
    private static Map<String, Object> lastRunEnded() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Map<String, Object> run = lastRun();
        while ("running".equals(run.get("status")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            run = lastRun();
        }
        return run;
    }

    private static String lastRunError() {
        return (String) lastRun().get("error");
    }
}
