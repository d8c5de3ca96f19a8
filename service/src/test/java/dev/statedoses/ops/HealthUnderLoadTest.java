package dev.statedoses.ops;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A long run log and a flood of health checks: what /health and /metrics read costs the same at
 * any length of the log (the plans use the indexes, not a scan), and many concurrent checks share
 * a few readings of the warehouse instead of one query each, which starved the pool.
 */
class HealthUnderLoadTest {

    private static final int OLD_RUNS = 20_000;
    private static final int CHECKS = 300;

    @Test
    void aLongRunLogIsReadByIndexAndAFloodOfChecksSharesAFewReadings() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            app.given().post("/refresh").then().statusCode(200);
            Jdbi db = TestWarehouse.jdbi(config);
            // Older runs, as 50 days at REFRESH_INTERVAL=45s leave them: ids below the real ones.
            db.useHandle(h -> {
                h.execute("""
                    insert into dwh.refresh_runs (run_id, status, started_at, finished_at, state_rows)
                    overriding system value
                    select -g, case when g % 10 = 0 then 'failed' else 'unchanged' end,
                           now() - interval '60 days' + g * interval '45 s',
                           now() - interval '60 days' + g * interval '45 s' + interval '2 s', 51
                    from generate_series(1, ?) g""", OLD_RUNS);
                h.execute("analyze dwh.refresh_runs");
            });

            String lastSuccess = plan(db, """
                select run_id from dwh.refresh_runs where status in ('succeeded', 'unchanged')
                order by finished_at desc, run_id desc limit 1""");
            assertTrue(lastSuccess.contains("refresh_runs_last_success") && !lastSuccess.contains("Seq Scan")
                && !lastSuccess.contains("Sort"), lastSuccess);
            String running = plan(db, "select count(*) from dwh.refresh_runs where status = 'running'");
            assertTrue(running.contains("refresh_runs_running") && !running.contains("Seq Scan"), running);

            // The runs counter counts the old runs too (kept by the trigger, not by a scan).
            String metrics = app.given().get("/metrics").then().statusCode(200).extract().asString();
            assertEquals(OLD_RUNS * 9 / 10.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total",
                Map.of("status", "unchanged")));
            assertEquals(OLD_RUNS / 10.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total",
                Map.of("status", "failed")));
            assertEquals(1.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total",
                Map.of("status", "succeeded")));
            app.given().get("/health").then().statusCode(200)
                .body("last_successful_refresh.run_id", org.hamcrest.Matchers.equalTo(1))
                .body(not(containsString("\"down\"")));

            long before = lookups(db);
            HttpClient client = HttpClient.newHttpClient();
            ExecutorService callers = Executors.newFixedThreadPool(60);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < CHECKS; i++) {
                answers.add(callers.submit(() -> client.send(
                    HttpRequest.newBuilder(URI.create(app.baseUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get(), "a health check under load");
            }
            callers.shutdown();
            // A backend reports its statistics when it goes idle, at the latest 10 s later
            // (PostgreSQL 15 and up).
            Thread.sleep(11_000);
            long queries = lookups(db) - before;
            assertTrue(queries <= CHECKS / 2, CHECKS + " concurrent health checks read the last success "
                + queries + " times; concurrent checks share one reading");
        }
    }

    private static String plan(Jdbi db, String sql) {
        List<String> lines = db.withHandle(h -> h.createQuery("explain (costs off) " + sql)
            .mapTo(String.class).list());
        return String.join("\n", lines);
    }

    /** How many times the last successful run was looked up: the scans of its index. */
    private static long lookups(Jdbi db) {
        return db.withHandle(h -> h.createQuery("""
                select idx_scan from pg_stat_user_indexes where indexrelname = 'refresh_runs_last_success'""")
            .mapTo(Long.class).one());
    }
}
