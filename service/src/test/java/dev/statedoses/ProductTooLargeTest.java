package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
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

    @Test
    void aStartWhoseProductDoesNotFitTheHeapSaysSoInOneLine() throws Exception {
        Map<String, String> env;
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
            }
            Jdbi jdbi = TestWarehouse.jdbi(config);
            jdbi.useHandle(h -> h.execute("""
                insert into dwh.state_doses_weekly (state, state_code, week, doses_moderna, doses_pfizer,
                    doses_moderna_cumulative, doses_pfizer_cumulative, doses_total_cumulative, people_per_dose,
                    refreshed_at, run_id)
                select w.state, w.state_code, w.week + 14 * n, 0, 0, w.doses_moderna_cumulative,
                       w.doses_pfizer_cumulative, w.doses_total_cumulative, w.people_per_dose, w.refreshed_at, w.run_id
                from dwh.state_doses_weekly w
                cross join generate_series(1, 6000) n
                """));
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
}
