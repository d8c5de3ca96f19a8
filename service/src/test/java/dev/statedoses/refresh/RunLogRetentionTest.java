package dev.statedoses.refresh;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * RUN_LOG_DAYS: the runs that ended longer ago go, with their sources, checks and exclusions;
 * the runs that must stay whatever their age stay (sql/runs/prune_run_log.sql). Each test loads
 * a product with a real refresh (run 1, which the product and the raw tables name), then writes
 * older runs below it (negative ids, as a long log would hold them), at times counted from a
 * fixed "now" 2026-06-01.
 */
class RunLogRetentionTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void theRunsThatEndedBeforeTheDaysGoWithTheirRowsAndTheCounterStays() throws Exception {
        withProduct((app, db) -> {
            db.useHandle(h -> {
                run(h, -1, "failed", "2026-04-01T00:00:00Z", "2026-04-01T00:00:02Z"); // 61 days: goes
                run(h, -2, "unchanged", "2026-05-01T23:59:00Z", "2026-05-01T23:59:59Z"); // 30 days and 1 s: goes
                run(h, -3, "failed", "2026-05-02T00:00:00Z", "2026-05-02T00:00:01Z"); // 29 days 23:59:59: stays
                run(h, -4, "running", "2026-01-01T00:00:00Z", null); // running, however old: stays
                for (long id : new long[] {-1, -3}) {
                    children(h, id);
                }
            });
            List<Map<String, Object>> totals = totals(db);

            try (RunLogRetention retention = new RunLogRetention(db, 30, CLOCK)) {
                assertEquals(2, retention.prune());

                assertEquals(List.of(-4L, -3L, 1L), ids(db, "select run_id from dwh.refresh_runs order by run_id"));
                for (String table : new String[] {"refresh_run_sources", "refresh_checks", "refresh_exclusions"}) {
                    assertEquals(List.of(-3L),
                        ids(db, "select distinct run_id from dwh." + table + " where run_id < 0"), table);
                }
                // Run 1's own rows stay with it: a real refresh's three sources.
                assertEquals(List.of(1L, 1L, 1L),
                    ids(db, "select run_id from dwh.refresh_run_sources where run_id > 0"));
                // GET /metrics' runs counter reads these totals: it never goes down.
                assertEquals(totals, totals(db), "the totals count the deleted runs still");
                app.given().get("/refreshes").then().statusCode(200)
                    .body("run_id", contains(1, -3, -4))
                    .body("status", contains("succeeded", "failed", "running"));
                assertEquals(0, retention.prune(), "and nothing more the second time");
            }
        });
    }

    /**
     * On a server whose autovacuum is off, a prune kept the run log's rows down but not its size:
     * nothing made the deleted rows' room usable again. A prune that deletes vacuums the four
     * tables it deleted from; one that deletes nothing leaves them be.
     */
    @Test
    void aPruneThatDeletesVacuumsTheTablesItDeletedFrom() throws Exception {
        String[] tables = {"refresh_runs", "refresh_run_sources", "refresh_checks", "refresh_exclusions"};
        withProduct((app, db) -> {
            db.useHandle(h -> {
                for (long id = -1; id >= -40; id--) {
                    run(h, id, "failed", "2026-04-01T00:00:00Z", "2026-04-01T00:00:02Z");
                    children(h, id);
                }
            });
            // The refresh's own vacuum (ProductVacuum) has taken dwh.refresh_runs: none runs beside.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (vacuums(db, "refresh_runs").get("refresh_runs") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Map<String, Long> before = vacuums(db, tables);
            try (RunLogRetention keepsAll = new RunLogRetention(db, 200, CLOCK)) {
                assertEquals(0, keepsAll.prune(), "nothing ended more than 200 days ago");
            }
            assertEquals(before, vacuums(db, tables), "vacuums after a prune that deleted nothing");
            try (RunLogRetention retention = new RunLogRetention(db, 30, CLOCK)) {
                assertEquals(40, retention.prune());
            }
            Map<String, Long> after = vacuums(db, tables);
            for (String table : tables) {
                assertEquals(before.get(table) + 1, after.get(table), "vacuums of dwh." + table + " after the prune");
            }
        });
    }

    @Test
    void whatTheProductTheRawTablesAndTheNextRefreshNeedStaysHoweverOld() throws Exception {
        withProduct((app, db) -> {
            db.useHandle(h -> {
                // The product's and the raw tables' run, 100 days old.
                h.execute("update dwh.refresh_runs set started_at = '2026-02-21T00:00:00Z', "
                    + "finished_at = '2026-02-21T00:00:01Z' where run_id = 1");
                // The newest good run by finish (GET /health's last success), below run 1 by id.
                run(h, -10, "unchanged", "2026-03-01T00:00:00Z", "2026-03-01T00:00:01Z");
                // Older good and failed runs: they go.
                run(h, -11, "unchanged", "2026-02-25T00:00:00Z", "2026-02-25T00:00:01Z");
                run(h, -12, "succeeded", "2026-02-24T00:00:00Z", "2026-02-24T00:00:01Z");
                run(h, -13, "failed", "2026-03-02T00:00:00Z", "2026-03-02T00:00:01Z");
            });
            try (RunLogRetention retention = new RunLogRetention(db, 1, CLOCK)) {
                assertEquals(3, retention.prune());
            }
            assertEquals(List.of(-10L, 1L), ids(db, "select run_id from dwh.refresh_runs order by run_id"));
            app.given().get("/health").then().body("last_successful_refresh.run_id", equalTo(-10));

            // The next refresh still sends run 1's validators: its sources are those of the
            // newest good run by id (RefreshRuns#lastGood), and the fixture server answers 304.
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("unchanged"));
        });
    }

    /**
     * A run that built a product in the second of the product's refreshed_at (two forced
     * refreshes back to back), or later (a clock set back), is what tells a client's
     * If-Modified-Since of that second apart from the product's (sql/product_date_alone.sql):
     * it stays however old. Pruned, an instance that started after the prune answered 304 to the
     * date of the other product, and 200 to If-Unmodified-Since, where the instance started
     * before it answered 200 and 412.
     */
    @Test
    void aRunThatBuiltAProductInTheProductsSecondOrLaterStaysHoweverOld() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (FixtureServer upstream = FixtureServer.start()) {
            Config sources = upstream.serveFixtureSources(config);
            try (RunningApp app = RunningApp.start(sources)) {
                app.given().post("/refresh").then().statusCode(200);
            }
            Jdbi db = TestWarehouse.jdbi(config);
            db.useHandle(h -> {
                run(h, -20, "succeeded", "2026-03-01T00:00:00Z", "2026-03-01T00:00:01Z"); // in run 1's second: stays
                run(h, -21, "succeeded", "2026-03-02T00:00:00Z", "2026-03-02T00:00:01Z"); // a later second: stays
                run(h, -22, "succeeded", "2026-03-03T00:00:00Z", "2026-03-03T00:00:01Z"); // a second before: goes
                h.execute("update dwh.refresh_runs r set refreshed_at = date_trunc('second', p.refreshed_at) "
                    + "+ case r.run_id when -20 then interval '0' when -21 then interval '5 seconds' "
                    + "else interval '-1 second' end "
                    + "from dwh.refresh_runs p where p.run_id = 1 and r.run_id in (-20, -21, -22)");
            });
            String lastModified;
            try (RunningApp before = RunningApp.start(sources)) {
                lastModified = before.given().get("/ratios").then().statusCode(200).extract().header("Last-Modified");
                before.given().header("If-Modified-Since", lastModified).get("/ratios").then().statusCode(200);
            }
            try (RunLogRetention retention = new RunLogRetention(db, 30, CLOCK)) {
                assertEquals(1, retention.prune());
            }
            assertEquals(List.of(-21L, -20L, 1L), ids(db, "select run_id from dwh.refresh_runs order by run_id"));
            try (RunningApp after = RunningApp.start(sources)) {
                after.given().header("If-Modified-Since", lastModified).get("/ratios").then().statusCode(200);
                after.given().header("If-Unmodified-Since", lastModified).get("/ratios").then().statusCode(412);
            }
        }
    }

    @Test
    void aLongLogGoesInBatchesAndTheScheduleRunsUntilClosed() throws Exception {
        int old = RunLogRetention.BATCH * 2 + 7;
        Config config = withProduct((app, db) -> {
            assertNull(app.wiring().retention(), "without RUN_LOG_DAYS, nothing is pruned");
            // A thousand runs a statement, each its own transaction: the run log's trigger counts
            // every run in the same row of dwh.refresh_run_totals, and 10,007 updates of one row
            // in one transaction walk ever longer chains of its versions (about 50 s, where the
            // service records one run a transaction).
            for (int first = 1; first <= old; first += 1_000) {
                int from = first;
                int to = Math.min(old, first + 999);
                db.useHandle(h -> h.execute("""
                    insert into dwh.refresh_runs (run_id, status, started_at, finished_at, state_rows)
                    overriding system value
                    select -g, 'failed', timestamptz '2026-01-01' + g * interval '45 s',
                           timestamptz '2026-01-01' + g * interval '45 s' + interval '2 s', null
                    from generate_series(?, ?) g""", from, to));
            }
            assertEquals(old + 1, count(db));
            try (RunLogRetention retention = new RunLogRetention(db, 90, CLOCK)) {
                retention.start(Duration.ofMillis(50), Duration.ofHours(1));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (count(db) > 1 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(1, count(db), "runs left of " + (old + 1));
                assertEquals(List.of(1L), ids(db, "select run_id from dwh.refresh_runs"));
            }
        });
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).runLogDays(7).build())) {
            assertNotNull(app.wiring().retention(), "RUN_LOG_DAYS starts the pruning with the service");
        }
    }

    /** What a test does with the loaded product: the app serving it, and its warehouse. */
    private interface WithProduct {
        void test(RunningApp app, Jdbi db) throws Exception;
    }

    /**
     * A new warehouse holding the fixtures' product, loaded by one real refresh (run 1, which the
     * product and the raw tables name), and the app serving it, for {@code test}; answers the
     * warehouse's configuration.
     */
    private static Config withProduct(WithProduct test) throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            app.given().post("/refresh").then().statusCode(200);
            test.test(app, TestWarehouse.jdbi(config));
        }
        return config;
    }

    /** A source, a check and an exclusion of run {@code id}: one row in each of its children. */
    private static void children(org.jdbi.v3.core.Handle h, long id) {
        h.execute("insert into dwh.refresh_run_sources (run_id, source, url, bytes, rows, sha256, load_ms) "
            + "values (?, 'moderna', 'http://example.org/m.csv', 10, 1, repeat('ab', 32), 3)", id);
        h.execute("insert into dwh.refresh_checks (run_id, position, name, status, detail) "
            + "values (?, 1, 'doses_positive', 'pass', 'ok')", id);
        h.execute("insert into dwh.refresh_exclusions (run_id, jurisdiction, kind, doses_moderna, "
            + "doses_pfizer, doses_total) values (?, 'Guam', 'territory', 1, 2, 3)", id);
    }

    private static void run(org.jdbi.v3.core.Handle h, long id, String status, String started, String finished) {
        h.execute("insert into dwh.refresh_runs (run_id, status, started_at, finished_at, state_rows) "
            + "overriding system value values (?, ?, ?::timestamptz, ?::timestamptz, null)", id, status, started, finished);
    }

    private static List<Long> ids(Jdbi db, String sql) {
        return db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).list());
    }

    private static Map<String, Long> vacuums(Jdbi db, String... tables) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String table : tables) {
            counts.put(table, TestWarehouse.vacuumCount(db, "dwh." + table));
        }
        return counts;
    }

    private static long count(Jdbi db) {
        return db.withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs").mapTo(Long.class).one());
    }

    private static List<Map<String, Object>> totals(Jdbi db) {
        return db.withHandle(h -> h.createQuery("select * from dwh.refresh_run_totals order by status").mapToMap().list());
    }
}
