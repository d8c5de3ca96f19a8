package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** GET /metrics after real requests and a real refresh: the numbers are those that happened. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {

    private static final int INVENTED_METHODS = 25;

    private final List<String> invented = new ArrayList<>();
    private FixtureServer upstream;
    private RunningApp app;

    @BeforeAll
    void start() throws IOException {
        upstream = FixtureServer.start();
        app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
        app.given().post("/refresh").then().statusCode(200);
        for (String state : new String[] {"NY", "ny", "New%20York"}) {
            app.given().urlEncodingEnabled(false).get("/ratios/" + state).then().statusCode(200);
        }
        for (String state : new String[] {"Atlantis", "Gondor"}) {
            app.given().get("/ratios/" + state).then().statusCode(404);
        }
        app.given().get("/nothing-here").then().statusCode(404);
        // Method names any client may make up: answered 405, each counted under "other". Sent raw:
        // the OpenAPI contract filter of given() knows RFC 9110's methods only.
        RawHttp raw = RawHttp.to(app);
        Random random = new Random(20261202);
        for (int i = 0; i < INVENTED_METHODS; i++) {
            String method = "X" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36).toUpperCase(Locale.ROOT);
            invented.add(method);
            assertEquals(405, raw.send(method, "/ratios", List.of()).status(), method);
        }
        assertEquals(405, raw.send("PATCH", "/ratios", List.of()).status());
        assertEquals(405, raw.send("DELETE", "/ratios/NY", List.of()).status());
        assertEquals(405, raw.send("DELETE", "/ratios/weekly", List.of()).status());
        assertEquals(405, raw.send("PUT", "/refresh", List.of()).status());
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void requestsAreCountedPerRouteTemplateMethodAndStatus() {
        String metrics = scrapeUntilCounted(Map.of("method", "GET", "route", "unmatched", "status", "404"), 1);
        assertEquals(3.0, requests(metrics, "GET", "/ratios/{state}", 200));
        assertEquals(2.0, requests(metrics, "GET", "/ratios/{state}", 404));
        assertEquals(1.0, requests(metrics, "POST", "/refresh", 200));
        assertEquals(1.0, requests(metrics, "GET", "unmatched", 404));
        assertTrue(value(metrics, "http_server_requests_seconds_sum",
            Map.of("method", "POST", "route", "/refresh", "status", "200")) > 0, "the refresh took some time");
        // The raw paths never become labels: cardinality stays bounded by the routes.
        for (String raw : new String[] {"/ratios/NY", "Atlantis", "Gondor", "/nothing-here"}) {
            assertFalse(metrics.contains(raw), raw + " appears in the metrics");
        }
    }

    /**
     * A method a real path does not take (405) is counted under that path's route: it was
     * "unmatched", with the 404s of paths no route has, and a dashboard could not tell a client
     * that DELETEs the product from one that asks for paths that do not exist.
     */
    @Test
    void aMethodARouteDoesNotTakeIsCountedUnderThatRoute() {
        String metrics = scrapeUntilCounted(Map.of("method", "PUT", "route", "/refresh", "status", "405"), 1);
        assertEquals(1.0, requests(metrics, "PATCH", "/ratios", 405));
        assertEquals(1.0, requests(metrics, "DELETE", "/ratios/{state}", 405));
        assertEquals(1.0, requests(metrics, "DELETE", "/ratios/weekly", 405));
        assertEquals(INVENTED_METHODS, requests(metrics, "other", "/ratios", 405));
        assertFalse(metrics.contains("route=\"unmatched\",status=\"405\""), metrics);
    }

    /** The requests counted with this method, route and status. */
    private static double requests(String metrics, String method, String route, int status) {
        return value(metrics, "http_server_requests_seconds_count",
            Map.of("method", method, "route", route, "status", Integer.toString(status)));
    }

    @Test
    void aMethodNoRfcNamesIsCountedAsOtherAndNeverBecomesALabel() {
        String metrics = scrapeUntilCounted(Map.of("method", "PATCH"), 1);
        Matcher other = Pattern.compile("http_server_requests_seconds_count\\{[^}]*method=\"other\"[^}]*} (\\S+)")
            .matcher(metrics);
        double counted = 0;
        while (other.find()) {
            counted += Double.parseDouble(other.group(1));
        }
        assertEquals(INVENTED_METHODS, counted, metrics);
        assertTrue(metrics.contains("method=\"PATCH\""), "PATCH is RFC 5789's, and keeps its name");
        for (String method : invented) {
            assertFalse(metrics.contains(method), method + " appears in the metrics");
        }
    }

    @Test
    void theLastSuccessfulRefreshIsTheOneTheWarehouseRecorded() {
        String metrics = scrape();
        double finishedAt = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select extract(epoch from finished_at)::float8 from dwh.refresh_runs where status = 'succeeded'")
            .mapTo(Double.class).one());
        assertEquals(finishedAt, value(metrics, "state_doses_refresh_last_success_timestamp_seconds", Map.of()), 0.001);
        assertEquals(1.0, value(metrics, "state_doses_refresh_last_success_run", Map.of()));
        assertEquals(1.0, value(metrics, "state_doses_refresh_runs_total", Map.of("status", "succeeded")));
        assertEquals(0.0, value(metrics, "state_doses_refresh_runs_total", Map.of("status", "failed")));
        assertEquals(1.0, value(metrics, "state_doses_refresh_duration_seconds_count", Map.of("status", "succeeded")));
        assertEquals(0.0, value(metrics, "state_doses_refresh_running", Map.of()));
        assertEquals(51.0, value(metrics, "state_doses_product_state_rows", Map.of()));
        assertEquals(1.0, value(metrics, "state_doses_warehouse_up", Map.of()));
        assertEquals(0.0, value(metrics, "state_doses_warehouse_changed", Map.of()));
    }

    @Test
    void rowsLoadedPerSourceAreThoseOfTheLastSuccessfulRefresh() {
        String metrics = scrape();
        Map<String, Long> recorded = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select source, rows from dwh.refresh_run_sources where run_id = 1")
            .setMapKeyColumn("source").setMapValueColumn("rows")
            .collectInto(new org.jdbi.v3.core.generic.GenericType<Map<String, Long>>() { }));
        assertEquals(Map.of("moderna", 8L, "pfizer", 7L, "population", 53L), recorded);
        recorded.forEach((source, rows) ->
            assertEquals(rows.doubleValue(), value(metrics, "state_doses_source_rows", Map.of("source", source)), source));
    }

    @Test
    void theJvmAndTheConnectionPoolAreThereToo() {
        String metrics = scrape();
        assertEquals(8.0, value(metrics, "hikaricp_connections_max", Map.of("pool", "warehouse")), "pool size");
        assertTrue(value(metrics, "jvm_threads_live_threads", Map.of()) > 0, "JVM threads");
        assertTrue(value(metrics, "process_uptime_seconds", Map.of()) > 0, "uptime");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\"")),
            "JVM memory");
    }

    @Test
    void labelsAreThoseGrafanasJvmAndHttpDashboardsQuery() {
        String metrics = scrapeUntilCounted(Map.of("method", "GET", "route", "unmatched", "status", "404"), 1);
        // Every sample names the application: the JVM (Micrometer) dashboard selects by it.
        List<String> without = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
            .filter(l -> !l.contains("application=\"state-doses\"")).toList();
        assertEquals(List.of(), without, "samples without application=\"state-doses\"");
        assertTrue(value(metrics, "jvm_threads_live_threads", Map.of("application", "state-doses")) > 0);
        // The route template is also uri, the status class outcome; route stays for older queries.
        assertEquals(3.0, value(metrics, "http_server_requests_seconds_count", Map.of("application", "state-doses",
            "method", "GET", "uri", "/ratios/{state}", "route", "/ratios/{state}", "status", "200",
            "outcome", "SUCCESS")));
        assertEquals(2.0, value(metrics, "http_server_requests_seconds_count",
            Map.of("uri", "/ratios/{state}", "status", "404", "outcome", "CLIENT_ERROR")));
        assertEquals(1.0, value(metrics, "http_server_requests_seconds_count",
            Map.of("uri", "unmatched", "status", "404", "outcome", "CLIENT_ERROR")));
        assertEquals(1.0, value(metrics, "http_server_requests_seconds_count",
            Map.of("method", "POST", "uri", "/refresh", "outcome", "SUCCESS")));
    }

    private String scrape() {
        return app.given().get("/metrics").then()
            .statusCode(200).contentType("text/plain; version=0.0.4; charset=utf-8")
            .extract().asString();
    }

    /**
     * The request logger counts a request as its answer completes, which may be just after the
     * client has it: wait briefly until the last request sent is counted.
     */
    private String scrapeUntilCounted(Map<String, String> labels, double count) {
        String metrics = scrape();
        for (int attempt = 0; attempt < 20 && !counted(metrics, labels, count); attempt++) {
            sleep(100);
            metrics = scrape();
        }
        return metrics;
    }

    private static boolean counted(String metrics, Map<String, String> labels, double count) {
        try {
            return value(metrics, "http_server_requests_seconds_count", labels) >= count;
        } catch (AssertionError notYet) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of the sample {@code name} whose labels include {@code labels}; fails if there is none or several. */
    static double value(String metrics, String name, Map<String, String> labels) {
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{(.*)})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = sample.matcher(metrics);
        Double found = null;
        while (m.find()) {
            String labelText = m.group(2) == null ? "" : m.group(2);
            boolean all = labels.entrySet().stream()
                .allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) {
                if (found != null) {
                    throw new AssertionError("several samples of " + name + " " + labels);
                }
                found = Double.parseDouble(m.group(3));
            }
        }
        if (found == null) {
            throw new AssertionError("no sample " + name + " " + labels + " in:\n" + metrics);
        }
        return found;
    }
}
