package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A start whose product does not fit the heap says so, in one line, and exits 1: how many weekly
 * rows, the heap they need and the heap there is, and what to do. It ended with the JVM's own
 * {@code OutOfMemoryError} (a stack trace, or under the image's -XX:+ExitOnOutOfMemoryError
 * "Terminating due to java.lang.OutOfMemoryError"), naming neither. The same warehouse under a
 * heap that holds it serves its weeks.
 *
 * <p>The product: the fixture sources' (51 states x 2 weeks, 2020-12-28 and 2021-01-04), then
 * 6,000 copies of each row, every copy two weeks on from the one before, written into
 * dwh.state_doses_weekly by hand (612,102 rows, as a product of about 400
 * times the real number of weeks holds): at 32 bytes a week at least (product/HeapRoom), 19 MiB,
 * and 9 MiB more for what serving takes; a JVM of -Xmx24m has about 16 MiB free at that point.
 */
class ProductTooLargeTest {

    private static final Pattern SAID = Pattern.compile("error: the product's 612,102 weekly rows need about (\\d+) "
        + "MiB of heap to be served from memory, and this JVM has (\\d+) MiB of its (\\d+) MiB left \\(its limit, "
        + "-Xmx, is \\3 MiB\\): start the service with a larger heap \\(java -Xmx\\.\\.\\., or "
        + "-XX:MaxRAMPercentage and the container's memory for the image\\)");

    /** 6,000 copies of each weekly row, every copy two weeks on from the one before. */
    private static final String COPIES = """
        insert into dwh.state_doses_weekly (state, state_code, week, doses_moderna, doses_pfizer,
            doses_moderna_cumulative, doses_pfizer_cumulative, doses_total_cumulative, people_per_dose,
            refreshed_at, run_id)
        select w.state, w.state_code, w.week + 14 * n, 0, 0, w.doses_moderna_cumulative,
               w.doses_pfizer_cumulative, w.doses_total_cumulative, w.people_per_dose, w.refreshed_at, w.run_id
        from dwh.state_doses_weekly w
        cross join generate_series(1, 6000) n
        """;

    @Test
    void aStartWhoseProductDoesNotFitTheHeapSaysSoInOneLine() throws Exception {
        Map<String, String> env;
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
            }
            Jdbi jdbi = TestWarehouse.jdbi(config);
            jdbi.useHandle(h -> h.execute(COPIES));
            long rows = jdbi.withHandle(h -> h.createQuery("select count(*) from dwh.state_doses_weekly")
                .mapTo(Long.class).one());
            assertEquals(612_102L, rows);
            env = new HashMap<>(TestWarehouse.environment(config));
        }
        env.put("PORT", "0");
        try (ServiceProcess small = ServiceProcess.start(List.of("-Xmx24m", "-XX:+ExitOnOutOfMemoryError"),
                List.of("serve"), env)) {
            assertEquals(1, small.awaitExit(Duration.ofSeconds(120)), small.log());
            String last = small.log().strip().lines().reduce((a, b) -> b).orElse("");
            Matcher said = SAID.matcher(last);
            assertTrue(said.matches(), last);
            // 612,102 x 32 bytes + 9 MiB = 27.7 MiB, rounded up; more than the JVM had free.
            assertEquals(28, Integer.parseInt(said.group(1)));
            assertTrue(Integer.parseInt(said.group(2)) < 28, last);
            assertFalse(small.log().contains("OutOfMemoryError"), small.log());
            assertFalse(small.log().contains("serving on"), small.log());
        }
        try (ServiceProcess roomy = ServiceProcess.start(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
                List.of("serve"), env)) {
            int port = roomy.awaitServing();
            io.restassured.RestAssured.given().port(port).queryParam("state", "NY").queryParam("from", "2021-01-04")
                .queryParam("to", "2021-01-11").get("/ratios/weekly").then()
                .statusCode(200)
                // The fixture's New York of 2021-01-04 (7,500 doses), and the first copy of its
                // 2020-12-28 (700 doses), two weeks on.
                .body("week", org.hamcrest.Matchers.contains("2021-01-04", "2021-01-11"))
                .body("doses_total", org.hamcrest.Matchers.contains(7500, 700));
            assertFalse(roomy.log().contains("OutOfMemoryError"), roomy.log());
        }
    }

    /**
     * A running instance whose heap cannot hold the warehouse's next product keeps serving the one
     * it has, and /health says why, once that has lasted longer than its grace: the heap, in the
     * words a start would print. It said "its reload fails (the log says why)", and only the log
     * told that no retry could mend it.
     *
     * <p>The next product: the same two runs' product, with its run changed to the second and its
     * weeks copied as above, then the NOTIFY a refresh sends, so that the instance reloads.
     */
    @Test
    void aReloadTheHeapCannotHoldIsNamedByHealth() throws Exception {
        Map<String, String> env;
        Jdbi jdbi;
        Config config;
        try (FixtureServer upstream = FixtureServer.start()) {
            config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                app.given().post("/refresh?force=true").then().statusCode(200).body("run_id", org.hamcrest.Matchers.equalTo(2));
            }
            jdbi = TestWarehouse.jdbi(config);
            // The instance starts on run 1's product (the same rows).
            jdbi.useHandle(h -> h.execute("""
                update dwh.state_doses set run_id = 1;
                update dwh.state_doses_weekly set run_id = 1
                """));
            env = new HashMap<>(TestWarehouse.environment(config));
        }
        env.put("PORT", "0");
        try (ServiceProcess small = ServiceProcess.start(List.of("-Xmx24m", "-XX:+ExitOnOutOfMemoryError"),
                List.of("serve"), env)) {
            int port = small.awaitServing();
            io.restassured.RestAssured.given().port(port).get("/health").then().statusCode(200);
            Instant built = jdbi.withHandle(h -> h.createQuery("select max(refreshed_at) from dwh.state_doses")
                .mapTo(Instant.class).one());

            jdbi.useTransaction(h -> {
                h.execute(COPIES);
                h.execute("""
                    update dwh.state_doses set run_id = 2, refreshed_at = refreshed_at + interval '1 hour';
                    update dwh.state_doses_weekly set run_id = 2, refreshed_at = refreshed_at + interval '1 hour'
                    """);
                h.execute("notify " + dev.statedoses.warehouse.Warehouse.PRODUCT_CHANNEL);
            });
            small.awaitLog("reloading this instance's snapshot failed (the product's 612,102 weekly rows need about 28 MiB",
                Duration.ofSeconds(30));

            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            io.restassured.response.Response health = io.restassured.RestAssured.given().port(port).get("/health");
            while (health.statusCode() == 200 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                health = io.restassured.RestAssured.given().port(port).get("/health");
            }
            String reason = health.then().statusCode(503).extract().path("reason");
            Matcher said = REASON.matcher(reason);
            assertTrue(said.matches(), reason);
            assertEquals(built.toString(), said.group(1), reason);
            assertEquals(built.plusSeconds(3_600).toString(), said.group(2), reason);
            assertTrue(Integer.parseInt(said.group(4)) < 28, reason);
            // Still serving the product it has: the fixture's 51 rows, New York's 7,500 doses of 2021-01-04.
            io.restassured.RestAssured.given().port(port).queryParam("state", "NY").get("/ratios/weekly").then()
                .statusCode(200)
                .body("week", org.hamcrest.Matchers.contains("2020-12-28", "2021-01-04"));
            assertFalse(small.log().contains("OutOfMemoryError"), small.log());
        }
    }

    private static final Pattern REASON = Pattern.compile("this instance serves the product refreshed at (\\S+), not the "
        + "warehouse's, refreshed at (\\S+), for \\d+ s: its reload fails: the product's 612,102 weekly rows need about "
        + "(28) MiB of heap to be served from memory, and this JVM has (\\d+) MiB of its (\\d+) MiB left \\(its limit, "
        + "-Xmx, is \\5 MiB\\): start the service with a larger heap \\(java -Xmx\\.\\.\\., or "
        + "-XX:MaxRAMPercentage and the container's memory for the image\\)");
}
