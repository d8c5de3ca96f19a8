package dev.statedoses.refresh;

import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * POST /refresh with Prefer: respond-async (RFC 7240): 202 at once, Location names the run,
 * which shows running and then its outcome. Without the header it stays synchronous.
 */
class AsyncRefreshTest {

    @Test
    void answers202AtOnceAndTheRunShowsRunningThenItsOutcome() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            FixtureServer.Hold moderna = upstream.serveHeld("/moderna.csv", Fixtures.bytes("moderna.csv"));
            Config config = ConfigBuilder.from(TestWarehouse.newDatabase()).sources(moderna.url(),
                upstream.serveFixture("/pfizer.csv", "pfizer.csv"),
                upstream.serveFixture("/County_Population.csv", "county_population.csv")).build();
            try (RunningApp app = RunningApp.start(config)) {
                // The upstream holds moderna's body: a synchronous refresh would wait for it.
                Instant asked = Instant.now();
                Response accepted = app.given().header("Prefer", "respond-async").post("/refresh");
                assertTrue(Duration.between(asked, Instant.now()).toSeconds() < 10, "answered at once");
                accepted.then()
                    .statusCode(202).contentType("application/json")
                    .header("Location", "/refreshes/1")
                    .header("Preference-Applied", "respond-async")
                    .body("run_id", equalTo(1))
                    .body("status", equalTo("running"))
                    .body("trigger", equalTo("api"))
                    .body("finished_at", nullValue());
                moderna.awaitRequested();
                app.given().get(accepted.header("Location")).then().statusCode(200)
                    .body("status", equalTo("running"))
                    .body("duration_ms", nullValue());
                // While it runs, another asynchronous request is turned away at once, as a synchronous one is.
                app.given().header("Prefer", "respond-async").post("/refresh").then()
                    .statusCode(409).header("Retry-After", "10")
                    .body("type", equalTo("/problems/refresh-running"));
                app.given().get("/ratios").then().statusCode(200).body(equalTo("[]"));

                moderna.release();
                JsonPath done = pollUntilEnded(app, accepted.header("Location"));
                assertEquals("succeeded", done.getString("status"));
                assertEquals(51, done.getInt("state_rows"));
                assertEquals(3, done.getList("sources").size());
                assertEquals(13, done.getList("checks").size());
                app.given().get("/ratios").then().statusCode(200).body("$", hasSize(51));
                app.given().get("/ratios/NY").then().body("people_per_dose", equalTo(0.8f));
                // The turned-away request started no run.
                app.given().get("/refreshes").then().body("run_id", org.hamcrest.Matchers.contains(1));
            }
        }
    }

    @Test
    void aFailureIsTheRunsOutcomeAndTurnedAwayRequestsAreAnsweredAsBefore() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                upstream.serveStatus("/pfizer.csv", 404, "text/plain", "gone");
                Response accepted = app.given().header("Prefer", "return=minimal, RESPOND-ASYNC; ignored=1")
                    .post("/refresh");
                accepted.then().statusCode(202).header("Location", "/refreshes/1");
                JsonPath failed = pollUntilEnded(app, "/refreshes/1");
                assertEquals("failed", failed.getString("status"));
                assertEquals("pfizer source (" + config.pfizerUrl() + "): upstream answered HTTP 404",
                    failed.getString("error"));
                assertEquals("api", failed.getString("trigger"));
            }
            // A token is checked before anything starts, and a 401 is a 401.
            try (RunningApp locked = RunningApp.start(ConfigBuilder.from(config).refreshToken("t0ken").build())) {
                locked.given().header("Prefer", "respond-async").post("/refresh").then()
                    .statusCode(401).body("type", equalTo("/problems/unauthorized"));
                locked.given().header("Prefer", "respond-async").header("Authorization", "Bearer t0ken")
                    .post("/refresh").then().statusCode(202).header("Location", not(emptyOrNullString()));
            }
        }
    }

    /**
     * A client that follows an asynchronous refresh learns that it ended from the run log, and
     * acts on it at once: what it reads next is that run's product, and the refresh it asks for
     * next is not turned away as busy. The run log showed the commit while this instance had yet
     * to hold its reads for the reload, or to let go of the refresh, so both came too early (some
     * rounds in five, for a client that keeps its connection and asks as fast as it is answered).
     */
    @Test
    void whatTheRunLogShowsEndedHasEndedForTheNextRequest() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            Jdbi warehouse = TestWarehouse.jdbi(config);
            try (RunningApp app = RunningApp.start(config)) {
                Follower follower = new Follower(HttpClient.newHttpClient(), app.baseUrl());
                for (int i = 0; i < 30; i++) {
                    String ended = follower.toItsEnd("/refresh?force=true", i);
                    String read = follower.send("GET", "/ratios/NY").body();
                    long runId = Follower.ended(ended, "succeeded");
                    String committed = warehouse.withHandle(h -> h.createQuery(
                            "select refreshed_at from dwh.state_doses where state_code = 'NY' and run_id = :run")
                        .bind("run", runId).mapTo(Instant.class).one()).toString();
                    assertEquals(committed, Instant.parse(JsonPath.from(read).getString("refreshed_at")).toString(),
                        "read at once after run " + runId + " ended");
                }
                // Each asked for at once after the last one ended (toItsEnd wants a 202): not busy.
                for (String status : new String[] {"succeeded", "failed"}) {
                    if (status.equals("failed")) {
                        upstream.serveStatus("/pfizer.csv", 404, "text/plain", "gone");
                    }
                    List<String> ends = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        ends.add(follower.toItsEnd("/refresh?force=true", i));
                    }
                    ends.forEach(ended -> Follower.ended(ended, status));
                }
            }
        }
    }

    /** A client that keeps its connection, as a dashboard's does, and asks as fast as it is answered. */
    private record Follower(HttpClient client, String base) {

        HttpResponse<String> send(String method, String path) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
            if (method.equals("POST")) {
                request.header("Prefer", "respond-async");
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /**
         * Starts an asynchronous refresh and polls its run until it ended: answers the run as the
         * run log gave it, unread, so that the caller's next request follows at once.
         */
        String toItsEnd(String path, int round) throws Exception {
            HttpResponse<String> accepted = send("POST", path);
            assertEquals(202, accepted.statusCode(), "round " + round + ", asked at once after the last run ended: "
                + accepted.body());
            String location = accepted.headers().firstValue("Location").orElseThrow();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String run;
            do {
                assertTrue(System.nanoTime() < deadline, "still running after 30 s: " + location);
                run = send("GET", location).body();
                // Read as text: a JSON parser's milliseconds here would give the service time it must not need.
            } while (run.contains("\"status\":\"running\""));
            return run;
        }

        /** Checks how the run {@link #toItsEnd} answered ended, and answers its id. */
        static long ended(String run, String status) {
            JsonPath json = JsonPath.from(run);
            assertEquals(status, json.getString("status"), json.prettify());
            return json.getLong("run_id");
        }
    }

    @Test
    void withoutTheHeaderItStaysSynchronous() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            Response response = app.given().header("Prefer", "return=representation").post("/refresh");
            response.then().statusCode(200).body("state_rows", equalTo(51)).body("doses_excluded", equalTo(2130));
            assertFalse(response.headers().hasHeaderWithName("Location"));
            assertFalse(response.headers().hasHeaderWithName("Preference-Applied"));
        }
    }

    @Test
    void thePreferHeaderIsReadAsRfc7240Says() {
        assertTrue(RefreshController.prefersAsync("respond-async"));
        assertTrue(RefreshController.prefersAsync("Respond-Async"));
        assertTrue(RefreshController.prefersAsync("wait=10, respond-async"));
        assertTrue(RefreshController.prefersAsync(" respond-async ; foo=bar"));
        assertFalse(RefreshController.prefersAsync(null));
        assertFalse(RefreshController.prefersAsync(""));
        assertFalse(RefreshController.prefersAsync("return=minimal"));
        assertFalse(RefreshController.prefersAsync("respond-asynchronously"));
    }

    private static JsonPath pollUntilEnded(RunningApp app, String location) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonPath run = app.given().get(location).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            assertTrue(System.nanoTime() < deadline, "still running: " + run.prettify());
            Thread.sleep(100);
        }
    }
}
