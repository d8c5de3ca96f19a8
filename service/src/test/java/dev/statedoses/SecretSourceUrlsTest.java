package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Source URLs that carry secrets (a pre-signed S3 URL's credential and signature, an Azure SAS's
 * sig, a token) work as sources, and their secrets never leave the process: not in the log, the
 * refresh command's output, POST /refresh's report or problem details, GET /refreshes, /metrics,
 * /health, nor the warehouse's run log. The rest of each URL is shown, exactly. Every secret here
 * holds the marker {@value #MARKER}; it must appear nowhere.
 */
class SecretSourceUrlsTest {

    private static final String MARKER = "SeKrIt";

    private FixtureServer upstream;
    private Config config;

    @BeforeEach
    void start() {
        upstream = FixtureServer.start();
        upstream.serveFixture("/m.csv", "moderna.csv");
        upstream.serveFixture("/p.csv", "pfizer.csv");
        upstream.serveFixture("/c.csv", "county_population.csv");
        config = ConfigBuilder.from(TestWarehouse.newDatabase()).sources(moderna("1"), pfizer("1"), population("1"))
            .build();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    /**
     * A pre-signed S3 URL; {@code version} stands for a signature made at another time. The
     * upstream here serves by path and ignores the query.
     */
    private URI moderna(String version) {
        return URI.create(upstream.url("/m.csv") + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA"
            + MARKER + version + "%2F20211130%2Fus-east-2%2Fs3%2Faws4_request&X-Amz-Date=20211130T000000Z"
            + "&X-Amz-Expires=3600&X-Amz-Signature=" + MARKER + "sig" + version);
    }

    private URI pfizer(String version) {
        return URI.create(upstream.url("/p.csv") + "?sv=2020-08-04&SIG=" + MARKER + version + "&spr=https");
    }

    private URI population(String version) {
        return URI.create(upstream.url("/c.csv") + "?Token=" + MARKER + version + "&v=2#api_key=" + MARKER);
    }

    private String shownModerna() {
        return upstream.url("/m.csv") + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***"
            + "&X-Amz-Date=20211130T000000Z&X-Amz-Expires=3600&X-Amz-Signature=***";
    }

    private String shownPfizer() {
        return upstream.url("/p.csv") + "?sv=2020-08-04&SIG=***&spr=https";
    }

    private String shownPopulation() {
        return upstream.url("/c.csv") + "?Token=***&v=2#api_key=***";
    }

    private static void hidden(String where, String text) {
        assertFalse(text.contains(MARKER), where + " shows a secret:\n" + text);
    }

    /** What every run of the warehouse's log holds as text: the URLs of its sources and its errors. */
    private static String runLog(Map<String, String> env) {
        return TestWarehouse.text(env, "select coalesce(string_agg(url, ' '), '') from dwh.refresh_run_sources")
            + " " + TestWarehouse.text(env, "select coalesce(string_agg(error, ' '), '') from dwh.refresh_runs");
    }

    @Test
    void theServiceNeverShowsASecretOfASourceUrl() throws Exception {
        Map<String, String> env = new HashMap<>(TestWarehouse.environment(config));
        env.put("PORT", "0");
        env.put("REFRESH_TOKEN", "t0ken-of-the-test");
        HttpClient http = HttpClient.newHttpClient();
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            int port = service.awaitServing();
            HttpResponse<String> refreshed = send(http, port, "POST", "/refresh");
            assertEquals(200, refreshed.statusCode(), refreshed.body());
            hidden("POST /refresh", refreshed.body());
            for (String shown : new String[] {shownModerna(), shownPfizer(), shownPopulation()}) {
                assertTrue(refreshed.body().contains("\"url\":\"" + shown + "\""), refreshed.body());
            }
            // A failed refresh: its problem details, and the run log's error, name the URL redacted.
            upstream.serveStatus("/p.csv", 404, "text/plain", "gone");
            HttpResponse<String> failed = send(http, port, "POST", "/refresh?force=true");
            assertEquals(502, failed.statusCode(), failed.body());
            hidden("a failed POST /refresh", failed.body());
            assertTrue(failed.body().contains("\"url\":\"" + shownPfizer() + "\""), failed.body());
            assertTrue(failed.body().contains("pfizer source (" + shownPfizer() + "): upstream answered HTTP 404"),
                failed.body());
            for (String path : new String[] {"/refreshes", "/refreshes/1", "/refreshes/2", "/metrics", "/health", "/",
                    "/ratios"}) {
                HttpResponse<String> answer = send(http, port, "GET", path);
                hidden("GET " + path, answer.body());
            }
            String runs = send(http, port, "GET", "/refreshes/1").body();
            assertTrue(runs.contains("\"url\":\"" + shownModerna() + "\""), runs);
            String log = runLog(env);
            hidden("the warehouse's run log", log);
            assertTrue(log.contains(shownModerna() + " ") && log.contains(shownPopulation()), log);
            assertTrue(log.contains("pfizer source (" + shownPfizer() + "): upstream answered HTTP 404"), log);
            service.sigterm();
            service.awaitExit(Duration.ofSeconds(60));
            hidden("the log", service.log());
            assertTrue(java.util.regex.Pattern.compile("INFO  RawLoad( run=[0-9]+)? loaded moderna: [0-9]+ rows, [0-9]+ bytes from "
                + java.util.regex.Pattern.quote(shownModerna()) + "\n").matcher(service.log()).find(), service.log());
            assertTrue(service.log().contains("pfizer source (" + shownPfizer() + "): upstream answered HTTP 404"),
                service.log());
        }
    }

    /**
     * A build from before secrets were hidden (V17), still running beside this one after it migrated
     * the warehouse, writes runs with whole URLs, in its sources and in its error. The run log's
     * reads hide them as they read them.
     */
    @Test
    void aRunWrittenWithSecretsByAnOlderBuildIsShownWithoutThem() {
        try (RunningApp app = RunningApp.start(config)) {
            long run = app.wiring().warehouse().jdbi().withHandle(h -> {
                long id = h.createQuery("insert into dwh.refresh_runs (status, started_at, finished_at, error) "
                        + "values ('failed', now(), now(), :error) returning run_id")
                    .bind("error", "pfizer source (" + pfizer("9") + "): upstream answered HTTP 404")
                    .mapTo(Long.class).one();
                h.createUpdate("insert into dwh.refresh_run_sources (run_id, source, url, bytes, rows, sha256, load_ms) "
                        + "values (:run, 'moderna', :url, 1, 1, repeat('ab', 32), 1)")
                    .bind("run", id).bind("url", moderna("9").toString()).execute();
                return id;
            });
            for (String path : new String[] {"/refreshes", "/refreshes/" + run}) {
                String body = app.given().get(path).then().statusCode(200).extract().asString();
                hidden("GET " + path, body);
                assertTrue(body.contains("pfizer source (" + shownPfizer() + "): upstream answered HTTP 404"), body);
                assertTrue(body.contains("\"url\":\"" + shownModerna() + "\""), body);
            }
        }
    }

    private static HttpResponse<String> send(HttpClient http, int port, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
        if (method.equals("POST")) {
            request.POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer t0ken-of-the-test");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The refresh command prints each source's URL redacted. A URL signed again (new credential
     * and signature, same file) is the same source: the run log keeps URLs redacted, and the
     * configured one is compared redacted, so the next refresh finds every source unchanged. Runs
     * recorded before URLs were redacted (stored whole) have their secrets hidden by migration V17.
     */
    @Test
    void theRefreshCommandShowsUrlsRedactedAndStillKnowsAnUnchangedSource() throws Exception {
        Map<String, String> env = TestWarehouse.environment(config);
        Run first = CommandLine.run(env, "refresh");
        assertEquals(0, first.code(), first.err());
        hidden("refresh's stdout", first.out());
        hidden("refresh's stderr", first.err());
        assertTrue(first.out().contains(", " + shownModerna() + "\n"), first.out());
        assertTrue(first.out().contains(", " + shownPfizer() + "\n"), first.out());
        assertTrue(first.out().contains(", " + shownPopulation() + "\n"), first.out());

        Map<String, String> resigned = new HashMap<>(env);
        resigned.put("MODERNA_URL", moderna("2").toString());
        resigned.put("PFIZER_URL", pfizer("2").toString());
        resigned.put("COUNTY_POPULATION_URL", population("2").toString());
        Run again = CommandLine.run(resigned, "refresh", "--json");
        assertEquals(0, again.code(), again.err());
        hidden("refresh --json", again.out());
        assertEquals("unchanged", TestWarehouse.text(env, "select status from dwh.refresh_runs where run_id = 2"));
        assertEquals("3", TestWarehouse.text(env, "select count(*) from dwh.refresh_run_sources "
            + "where run_id = 2 and unchanged"));

        // Runs recorded whole, as before URLs were redacted, in a warehouse migrated before
        // V17: the next start's migration hides their secrets, and the refresh after it still
        // finds every source unchanged.
        String oldError = "pfizer source (" + pfizer("1") + "): upstream answered HTTP 404";
        TestWarehouse.jdbi(config).useHandle(h -> {
            h.execute("update dwh.refresh_run_sources set url = ? where run_id = 1 and source = 'moderna'",
                moderna("1").toString());
            h.execute("update dwh.refresh_run_sources set url = ? where run_id = 2 and source = 'moderna'",
                moderna("2").toString());
            h.execute("update dwh.refresh_runs set error = ? where run_id = 1", oldError);
            // V17 and the migrations after it, which run again (they are written to be safe so).
            h.execute("delete from dwh.flyway_schema_history where version::int >= 17");
        });
        assertTrue(runLog(env).contains(MARKER));
        Run third = CommandLine.run(env, "refresh");
        assertEquals(0, third.code(), third.err());
        hidden("the warehouse's run log after a start", runLog(env));
        assertEquals("pfizer source (" + shownPfizer() + "): upstream answered HTTP 404",
            TestWarehouse.text(env, "select error from dwh.refresh_runs where run_id = 1"));
        assertEquals(shownModerna(), TestWarehouse.text(env, "select url from dwh.refresh_run_sources "
            + "where run_id = 2 and source = 'moderna'"));
        assertEquals("unchanged", TestWarehouse.text(env, "select status from dwh.refresh_runs where run_id = 3"));
        assertEquals("3", TestWarehouse.text(env, "select count(*) from dwh.refresh_run_sources "
            + "where run_id = 3 and unchanged"));
        try (RunningApp app = RunningApp.start(config)) {
            String run2 = app.given().get("/refreshes/2").then().statusCode(200).extract().asString();
            hidden("GET /refreshes/2", run2);
            assertTrue(run2.contains("\"url\":\"" + shownModerna() + "\""), run2);
        }

        Map<String, String> broken = new HashMap<>(env);
        broken.put("PFIZER_URL", upstream.url("/missing.csv") + "?access_token=" + MARKER + "&v=1");
        Run failed = CommandLine.run(broken, "refresh", "--json");
        assertEquals(1, failed.code());
        hidden("a failed refresh --json", failed.out());
        hidden("a failed refresh's stderr", failed.err());
        Map<?, ?> problem = Wiring.objectMapper().readValue(failed.out(), Map.class);
        assertEquals(upstream.url("/missing.csv") + "?access_token=***&v=1", problem.get("url"));
        hidden("the warehouse's run log", runLog(env));
    }
}
