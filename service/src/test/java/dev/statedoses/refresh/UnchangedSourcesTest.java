package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawUpstream;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.HttpDate;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No work for unchanged sources: each fetch sends back the validators the last good refresh got
 * (If-None-Match, If-Modified-Since); an upstream that answers 304 for all three makes the refresh
 * {@code unchanged} (the product and its refreshed_at stay); one changed source rebuilds from it
 * and the others' kept rows; {@code force=true} fetches everything whole. And the three sources
 * are asked for at once.
 *
 * <p>The upstream here sends an ETag and a Last-Modified with each body and honours them as S3
 * does. The numbers are the fixtures' (fixtures/README.md): Vermont 1234 people, 600 Moderna +
 * 100 Pfizer doses, 1.7629 people per dose.
 */
class UnchangedSourcesTest {

    private FixtureServer upstream;
    private final Map<String, Versioned> served = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private RunningApp app;
    private Config config;

    /** A body with its validators, as the upstream serves it now. */
    private record Versioned(byte[] body, String etag, String lastModified) {
    }

    @BeforeEach
    void start() {
        upstream = FixtureServer.start();
        config = ConfigBuilder.from(TestWarehouse.newDatabase()).sources(serve("/m.csv", "moderna.csv", 1),
            serve("/p.csv", "pfizer.csv", 1), serve("/c.csv", "county_population.csv", 1)).build();
        app = RunningApp.start(config);
    }

    @AfterEach
    void stop() {
        app.close();
        upstream.close();
    }

    private java.net.URI serve(String path, String fixture, int version) {
        return serve(path, Fixtures.bytes(fixture), version);
    }

    private java.net.URI serve(String path, byte[] body, int version) {
        served.put(path, new Versioned(body, "\"" + path.substring(1, 2) + "-v" + version + "\"",
            dev.statedoses.util.HttpDate.format(java.time.Instant.parse("2021-03-01T00:00:00Z").plus(
                java.time.Duration.ofDays(version - 1)))));
        return upstream.serve(path, this::conditional);
    }

    /** As S3 answers: 304 when If-None-Match names the current ETag (or, without it, the date is the same). */
    private void conditional(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        String ifModifiedSince = exchange.getRequestHeaders().getFirst("If-Modified-Since");
        requests.add(path + " If-None-Match=" + ifNoneMatch + " If-Modified-Since=" + ifModifiedSince);
        conditionalAnswer(exchange);
    }

    /** {@link #conditional}'s answer, without recording the request. */
    private void conditionalAnswer(HttpExchange exchange) throws IOException {
        Versioned current = served.get(exchange.getRequestURI().getPath());
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        String ifModifiedSince = exchange.getRequestHeaders().getFirst("If-Modified-Since");
        // A body served without validators (current.etag() null) is always sent whole.
        if (current.etag() != null) {
            exchange.getResponseHeaders().set("ETag", current.etag());
            exchange.getResponseHeaders().set("Last-Modified", current.lastModified());
        }
        boolean notModified = current.etag() != null && (ifNoneMatch != null ? ifNoneMatch.equals(current.etag())
            : ifModifiedSince != null && ifModifiedSince.equals(current.lastModified()));
        if (notModified) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/csv");
        exchange.sendResponseHeaders(200, current.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(current.body());
        }
    }

    /**
     * An upstream that sends no ETag, and a Last-Modified its own Date does not show a second old
     * (here an hour ahead, as a clock off by one would send; the same second is as weak): the
     * file may change again under the same date. The service must not ask "modified since?" with
     * it, or an upstream that compares dates answers 304 over bytes it never loaded, for good.
     */
    @Test
    void aLastModifiedThatCannotTellVersionsApartIsNotAskedAbout() {
        String ahead = dev.statedoses.util.HttpDate.format(java.time.Instant.now().plusSeconds(3_600));
        byte[][] current = serveModerna("Last-Modified", List.of(ahead), "If-Modified-Since", ahead::equals);
        JsonPath first = refresh("");
        assertEquals("succeeded", first.getString("status"));
        assertEquals(null, source(first, "moderna").get("last_modified"));
        theChangeIsAskedForWholeAndLoaded(current, "/m.csv If-Modified-Since=null");
    }

    /**
     * An upstream whose ETag names no one version: "*", a list, a bare word, or beyond ASCII.
     * Sent back as If-None-Match, "*" asks whether any version exists, and an upstream that
     * honours it (RFC 9110, 13.1.2) answers every later change with 304: the change was never
     * loaded. Such a tag is not kept (the run records none) nor sent, and the change is loaded.
     */
    @ParameterizedTest(name = "ETag: {0}")
    @ValueSource(strings = {"*", "\"m\", \"x\"", "m-v1", "W/m-v1", "\"m v1\""})
    void anETagThatNamesNoOneVersionIsNotKeptNorSentBack(String oddTag) {
        // As RFC 9110 has an upstream read If-None-Match: "*" matches any version, a list any of its tags.
        byte[][] current = serveModerna("ETag", List.of(oddTag), "If-None-Match", ifNoneMatch -> ifNoneMatch != null
            && (ifNoneMatch.strip().equals("*")
                || List.of(ifNoneMatch.split(",")).stream().map(String::strip).anyMatch(t -> t.equals(oddTag.strip()))));
        JsonPath first = refresh("");
        assertEquals("succeeded", first.getString("status"));
        assertNull(source(first, "moderna").get("etag"));
        theChangeIsAskedForWholeAndLoaded(current, "/m.csv If-None-Match=null");
    }

    /**
     * An upstream behind a proxy that adds a validator of its own: two ETag lines, or two
     * Last-Modified lines, and a condition that names either is answered 304. Which line belongs
     * to the body cannot be told: neither is kept nor sent back (before, the first was, and every
     * later change was answered 304), and the change is loaded.
     */
    @ParameterizedTest(name = "{0} twice")
    @ValueSource(strings = {"ETag", "Last-Modified"})
    void aValidatorGivenTwiceIsNotKept(String validator) {
        List<String> values = validator.equals("ETag") ? List.of("\"m-origin\"", "\"m-proxy\"")
            : List.of("Mon, 01 Mar 2021 00:00:00 GMT", "Tue, 02 Mar 2021 00:00:00 GMT");
        String asked = validator.equals("ETag") ? "If-None-Match" : "If-Modified-Since";
        byte[][] current = serveModerna(validator, values, asked,
            condition -> condition != null && values.contains(condition));
        JsonPath first = refresh("");
        assertEquals("succeeded", first.getString("status"));
        assertNull(source(first, "moderna").get("etag"));
        assertNull(source(first, "moderna").get("last_modified"));
        theChangeIsAskedForWholeAndLoaded(current, "/m.csv " + asked + "=null");
    }

    /**
     * Serves moderna.csv at /m.csv with the header {@code validator} on every answer, a line for
     * each of {@code values}, and a 304 when the request's header {@code asked} (logged) makes
     * {@code notModified} true. The bytes served are the returned array's first, for a test to change.
     */
    private byte[][] serveModerna(String validator, List<String> values, String asked,
                                  Predicate<String> notModified) {
        byte[][] current = {Fixtures.bytes("moderna.csv")};
        upstream.serve("/m.csv", exchange -> {
            String condition = exchange.getRequestHeaders().getFirst(asked);
            requests.add("/m.csv " + asked + "=" + condition);
            values.forEach(value -> exchange.getResponseHeaders().add(validator, value));
            if (notModified.test(condition)) {
                exchange.sendResponseHeaders(304, -1);
                return;
            }
            exchange.sendResponseHeaders(200, current[0].length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(current[0]);
            }
        });
        return current;
    }

    /** Moderna changed (Vermont's 600 doses 700): asked for without {@code request}'s condition, loaded, served. */
    private void theChangeIsAskedForWholeAndLoaded(byte[][] current, String request) {
        current[0] = changedModerna();
        requests.clear();
        JsonPath second = refresh("");
        assertEquals("succeeded", second.getString("status"));
        assertEquals(false, source(second, "moderna").get("unchanged"));
        assertEquals(List.of(request), requests.stream().filter(r -> r.startsWith("/m.csv")).toList());
        app.given().get("/ratios/VT").then().statusCode(200)
            .body("doses_moderna", org.hamcrest.Matchers.equalTo(700));
    }

    private JsonPath refresh(String query) {
        return app.given().post("/refresh" + query).then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> source(JsonPath report, String name) {
        return report.getMap("sources.find { it.source == '" + name + "' }");
    }

    @Test
    void whenEverySourceAnswersNotModifiedTheRunIsUnchangedAndTheProductStays() {
        JsonPath first = refresh("");
        assertEquals("succeeded", first.getString("status"));
        assertEquals("\"m-v1\"", source(first, "moderna").get("etag"));
        assertEquals("Mon, 01 Mar 2021 00:00:00 GMT", source(first, "moderna").get("last_modified"));
        String product = app.given().get("/ratios").asString();
        String etag = app.given().get("/ratios").header("ETag");
        requests.clear();

        JsonPath second = refresh("");
        assertEquals("unchanged", second.getString("status"));
        assertEquals(first.getLong("run_id") + 1, second.getLong("run_id"));
        for (String name : List.of("moderna", "pfizer", "population")) {
            Map<String, Object> again = source(second, name);
            Map<String, Object> before = source(first, name);
            assertEquals(true, again.get("unchanged"), name);
            assertEquals(before.get("sha256"), again.get("sha256"), name);
            assertEquals(before.get("rows"), again.get("rows"), name);
            assertEquals(before.get("weeks"), again.get("weeks"), name);
        }
        // The kept product's figures: 13930 doses, 11800 in state rows, 2130 excluded.
        assertEquals(51, second.getInt("state_rows"));
        assertEquals(13930, second.getLong("doses_in_sources"));
        assertEquals(2130, second.getLong("doses_excluded"));
        assertEquals(List.of(
            "/m.csv If-None-Match=\"m-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/p.csv If-None-Match=\"p-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/c.csv If-None-Match=\"c-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT"),
            requests.stream().sorted(this::inSourceOrder).toList());

        assertEquals(product, app.given().get("/ratios").asString(), "the product and its refreshed_at stay");
        assertEquals(etag, app.given().get("/ratios").header("ETag"));
        app.given().get("/refreshes/" + second.getLong("run_id")).then().statusCode(200)
            .body("status", org.hamcrest.Matchers.equalTo("unchanged"))
            .body("error", org.hamcrest.Matchers.nullValue())
            .body("sources.unchanged", org.hamcrest.Matchers.contains(true, true, true));
        assertEquals(3, (int) jdbi().withHandle(h -> h.createQuery(
                "select count(*) from dwh.refresh_run_sources where run_id = :run and unchanged")
            .bind("run", second.getLong("run_id")).mapTo(Integer.class).one()));
    }

    private int inSourceOrder(String a, String b) {
        List<String> order = List.of("/m.csv", "/p.csv", "/c.csv");
        return Integer.compare(order.indexOf(a.substring(0, 6)), order.indexOf(b.substring(0, 6)));
    }

    /**
     * Pfizer changes (Vermont's 100 doses become 200): it is loaded and the product rebuilt from it
     * and the two sources' kept rows. Vermont: 1234 / (600 + 200) = 1.5425; New York, from the
     * kept Moderna and population rows, still 6000 / 7500 = 0.8000.
     */
    @Test
    void oneChangedSourceIsLoadedAndTheProductRebuiltWithTheOthersKeptRows() {
        refresh("");
        serve("/p.csv", text("pfizer.csv").replace("\"Vermont\",\"2021-01-04T00:00:00.000\",\"100\",\"0\"",
            "\"Vermont\",\"2021-01-04T00:00:00.000\",\"200\",\"0\"").getBytes(StandardCharsets.UTF_8), 2);

        JsonPath report = refresh("");
        assertEquals("succeeded", report.getString("status"));
        assertEquals(true, source(report, "moderna").get("unchanged"));
        assertEquals(false, source(report, "pfizer").get("unchanged"));
        assertEquals("\"p-v2\"", source(report, "pfizer").get("etag"));
        assertEquals(true, source(report, "population").get("unchanged"));
        app.given().get("/ratios/VT").then().statusCode(200)
            .body("doses_pfizer", org.hamcrest.Matchers.equalTo(200))
            .body("people_per_dose", org.hamcrest.Matchers.equalTo(1.5425f));
        app.given().get("/ratios/NY").then().statusCode(200)
            .body("population", org.hamcrest.Matchers.equalTo(6000))
            .body("doses_total", org.hamcrest.Matchers.equalTo(7500));
        assertEquals(8, (int) jdbi().withHandle(h -> h.createQuery("select count(*) from raw.cdc_moderna_allocations")
            .mapTo(Integer.class).one()), "Moderna's kept rows");
    }

    /**
     * A pre-signed URL of the same file, signed again later: S3's (AWS Signature Version 4) has a
     * new date, credential, expiry and signature, Google Cloud Storage's V4 the same under
     * {@code X-Goog-}. They say who signed and until when, not which file, so the source is the
     * same: asked for with the last good refresh's validators, and unchanged. A parameter that
     * does name the file (S3's versionId) makes it another source, fetched whole.
     */
    @Test
    void aPreSignedUrlSignedAgainIsTheSameSource() {
        java.util.function.BiFunction<String, String, Config> signed = (day, version) -> ConfigBuilder.from(config)
            .sources(java.net.URI.create(upstream.url("/m.csv") + "?versionId=" + version
                    + "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F202111" + day
                    + "%2Fus-east-2%2Fs3%2Faws4_request&X-Amz-Date=202111" + day + "T080000Z&X-Amz-Expires=" + day
                    + "00&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok" + day + "&X-Amz-Signature=sig" + day),
                java.net.URI.create(upstream.url("/p.csv") + "?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                    + "&X-Goog-Credential=reader%40example.iam.gserviceaccount.com%2F202111" + day
                    + "%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=202111" + day + "T080000Z&X-Goog-Expires=900"
                    + "&X-Goog-SignedHeaders=host&X-Goog-Signature=" + day + "abcdef"),
                upstream.url("/c.csv"))
            .build();
        app.close();
        app = RunningApp.start(signed.apply("29", "v1"));
        assertEquals("succeeded", refresh("").getString("status"));
        app.close();
        app = RunningApp.start(signed.apply("30", "v1"));
        requests.clear();

        JsonPath again = refresh("");
        assertEquals("unchanged", again.getString("status"));
        assertEquals(List.of(
            "/m.csv If-None-Match=\"m-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/p.csv If-None-Match=\"p-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/c.csv If-None-Match=\"c-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT"),
            requests.stream().sorted(this::inSourceOrder).toList());
        // The run shows the URLs it was given (redacted), not those of the run it matched.
        assertEquals(upstream.url("/m.csv") + "?versionId=v1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***"
                + "&X-Amz-Date=20211130T080000Z&X-Amz-Expires=3000&X-Amz-SignedHeaders=host&X-Amz-Security-Token=***"
                + "&X-Amz-Signature=***",
            source(again, "moderna").get("url"));

        app.close();
        app = RunningApp.start(signed.apply("30", "v2"));
        requests.clear();
        JsonPath otherVersion = refresh("");
        assertEquals(false, source(otherVersion, "moderna").get("unchanged"));
        assertEquals(true, source(otherVersion, "pfizer").get("unchanged"));
        assertTrue(requests.contains("/m.csv If-None-Match=null If-Modified-Since=null"), requests.toString());
    }

    @Test
    void forceFetchesEverySourceWholeAndRebuilds() {
        refresh("");
        String refreshedAt = app.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
        requests.clear();

        JsonPath forced = refresh("?force=true");
        assertEquals("succeeded", forced.getString("status"));
        assertEquals(List.of(false, false, false), forced.getList("sources.unchanged"));
        assertEquals(3, requests.size());
        requests.forEach(request -> assertTrue(request.endsWith("If-None-Match=null If-Modified-Since=null"), request));
        assertNotEquals(refreshedAt, app.given().get("/ratios/NY").jsonPath().getString("refreshed_at"));
        app.given().post("/refresh?force=maybe").then().statusCode(400)
            .body("type", org.hamcrest.Matchers.equalTo("/problems/invalid-force"));
    }

    /** A refresh of another build does not trust the product an earlier build made: it rebuilds. */
    @Test
    void anotherBuildRebuildsFromUnchangedSources() {
        refresh("");
        jdbi().useHandle(h -> h.execute("update dwh.refresh_runs set build = '0.0.1-earlier'"));
        requests.clear();
        JsonPath report = refresh("");
        assertEquals("succeeded", report.getString("status"));
        requests.forEach(request -> assertTrue(request.endsWith("If-None-Match=null If-Modified-Since=null"), request));
    }

    /** A kept raw table that no longer holds what was loaded (emptied by hand) is loaded whole again. */
    @Test
    void aSourceWhoseKeptRowsAreGoneIsFetchedWholeDespiteNotModified() {
        refresh("");
        jdbi().useHandle(h -> h.execute("truncate raw.cdc_pfizer_allocations"));
        requests.clear();
        JsonPath report = refresh("");
        assertEquals("succeeded", report.getString("status"));
        assertEquals(false, source(report, "pfizer").get("unchanged"));
        assertEquals(7, source(report, "pfizer").get("rows"));
        assertEquals(List.of("/p.csv If-None-Match=\"p-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/p.csv If-None-Match=null If-Modified-Since=null"),
            requests.stream().filter(r -> r.startsWith("/p.csv")).toList());
        app.given().get("/ratios/VT").then().body("people_per_dose", org.hamcrest.Matchers.equalTo(1.7629f));
    }

    /**
     * The warehouse edited by hand between refreshes, while every source stays as it was: random
     * edits (the seed printed) of a raw table's rows (a value, a row's place, two rows' values
     * swapped, every row, a row written again as it was) and of the product (a ratio, a population
     * with its ratio made to agree, a week deleted or changed), alone or together. Each refresh
     * after an edit gives back the product the sources define, the raw tables the sources' rows,
     * and the refresh after it finds everything unchanged again. An unchanged refresh once kept
     * such edits: it compared a raw table's row count only, and the product not at all.
     */
    @Test
    void editsByHandBetweenRefreshesAreUndoneByTheNextRefresh() {
        refresh("");
        List<Map<String, Object>> product = productRows();
        List<Map<String, Object>> weekly = weeklyRows();
        Map<String, List<Map<String, Object>>> raw = rawRows();
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        for (int round = 0; round < 8; round++) {
            List<String> edits = new java.util.ArrayList<>();
            int kinds = 1 + random.nextInt(2);
            for (int k = 0; k < kinds; k++) {
                edits.add(handEdit(random));
            }
            String said = "seed " + seed + ", round " + round + ": " + edits;
            jdbi().useHandle(h -> edits.forEach(h::execute));
            requests.clear();
            JsonPath report = refresh("");
            assertTrue(List.of("succeeded", "unchanged").contains(report.getString("status")), said);
            assertEquals(product, productRows(), said);
            assertEquals(weekly, weeklyRows(), said);
            assertEquals(raw, rawRows(), said);
            app.given().get("/ratios/VT").then().statusCode(200)
                .body("people_per_dose", org.hamcrest.Matchers.equalTo(1.7629f));
            assertEquals("unchanged", refresh("").getString("status"), said);
        }
    }

    /**
     * A random history of upstream answers, refreshes and edits of the raw tables by hand (the
     * seed is printed). An upstream answers 304; or the same bytes under new validators (a file
     * uploaded again); or the same bytes without any validator, whole every time; or other bytes
     * (CRLF for LF, or Vermont's Pfizer doses 100 made 200). After every refresh: the run log's
     * digests of what the run kept are what the warehouse holds; the raw tables hold the rows of
     * the bytes served and the product is theirs (Vermont 1234 / 700 = 1.7629, or 1234 / 800 =
     * 1.5425); and the run is {@code unchanged} exactly when no bytes changed, no raw row was
     * edited and nothing was forced. Before, a 200 of the same bytes recorded the digest of rows
     * it loaded and then gave back: the next refresh took the rows kept for a hand edit and
     * rebuilt the product, and without validators a raw table edited by hand stayed for good.
     */
    @Test
    void aRandomHistoryOfRefreshesKeepsWhatItRecords() {
        String[] paths = {"/m.csv", "/p.csv", "/c.csv"};
        Map<String, String> fixtures = Map.of("/m.csv", "moderna.csv", "/p.csv", "pfizer.csv",
            "/c.csv", "county_population.csv");
        String vermont100 = "\"Vermont\",\"2021-01-04T00:00:00.000\",\"100\",\"0\"";
        String vermont200 = vermont100.replace("\"100\"", "\"200\"");
        Map<String, Integer> versions = new java.util.HashMap<>(Map.of("/m.csv", 1, "/p.csv", 1, "/c.csv", 1));
        Map<String, Boolean> crlf = new java.util.HashMap<>(Map.of("/m.csv", false, "/p.csv", false, "/c.csv", false));
        Map<String, Boolean> bare = new java.util.HashMap<>(Map.of("/m.csv", false, "/p.csv", false, "/c.csv", false));
        boolean[] pfizer200 = {false};
        java.util.function.Function<String, byte[]> bytes = path -> {
            String body = text(fixtures.get(path));
            if (path.equals("/p.csv") && pfizer200[0]) {
                body = body.replace(vermont100, vermont200);
            }
            return (crlf.get(path) ? body.replace("\n", "\r\n") : body).getBytes(StandardCharsets.UTF_8);
        };
        java.util.function.Consumer<String> publish = path -> {
            if (bare.get(path)) {
                served.put(path, new Versioned(bytes.apply(path), null, null));
            } else {
                serve(path, bytes.apply(path), versions.merge(path, 1, Integer::sum));
            }
        };

        refresh("");
        List<Map<String, Object>> product100 = productRows();
        Map<String, List<Map<String, Object>>> raw100 = rawRows();
        Map<String, byte[]> loaded = new java.util.HashMap<>();
        for (String path : paths) {
            loaded.put(path, bytes.apply(path));
        }
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        List<String> history = new java.util.ArrayList<>();
        for (int step = 0; step < 30; step++) {
            String path = paths[random.nextInt(3)];
            int kind = random.nextInt(7);
            Map<String, List<Map<String, Object>>> before = rawRows();
            String done = switch (kind) {
                case 0 -> "nothing";
                case 1 -> {
                    publish.accept(path);
                    yield "the same bytes of " + path + (bare.get(path) ? " without validators" : " under new ones");
                }
                case 2 -> {
                    bare.merge(path, true, (a, b) -> !a);
                    publish.accept(path);
                    yield path + (bare.get(path) ? " without validators" : " with validators");
                }
                case 3 -> {
                    crlf.merge(path, true, (a, b) -> !a);
                    publish.accept(path);
                    yield path + " in " + (crlf.get(path) ? "CRLF" : "LF");
                }
                case 4 -> {
                    pfizer200[0] = !pfizer200[0];
                    publish.accept("/p.csv");
                    yield "Vermont's Pfizer doses " + (pfizer200[0] ? 200 : 100);
                }
                case 5 -> {
                    String drawn = handEdit(random);
                    while (drawn.contains("dwh.")) {
                        drawn = handEdit(random);
                    }
                    String edit = drawn;
                    jdbi().useHandle(h -> h.execute(edit));
                    yield edit;
                }
                default -> "force";
            };
            boolean edited = !before.equals(rawRows());
            boolean changed = java.util.Arrays.stream(paths)
                .anyMatch(p -> !java.util.Arrays.equals(loaded.get(p), bytes.apply(p)));
            history.add(done);
            String said = "seed " + seed + ", steps " + history;

            JsonPath report = refresh(kind == 6 ? "?force=true" : "");
            assertEquals(kind == 6 || changed || edited ? "succeeded" : "unchanged", report.getString("status"),
                said + "; sources unchanged: " + report.getList("sources.unchanged"));
            for (String p : paths) {
                loaded.put(p, bytes.apply(p));
            }
            // Each source's hash on record is that of the bytes served (a second look at a
            // finished hash once recorded the hash of no bytes).
            assertEquals(java.util.Arrays.stream(paths).map(p -> dev.statedoses.util.Sha256.hex(bytes.apply(p)))
                .toList(), report.getList("sources.sha256"), said);
            Map<String, List<Map<String, Object>>> raw = new java.util.HashMap<>(raw100);
            List<Map<String, Object>> product = product100;
            if (pfizer200[0]) {
                raw.put("pfizer", raw100.get("pfizer").stream().map(r -> r.get("jurisdiction").equals("Vermont")
                    ? withValue(r, "first_dose_allocations", 200L) : r).toList());
                product = product100.stream().map(r -> r.get("state").equals("Vermont")
                    ? withValue(withValue(withValue(r, "doses_pfizer", 200), "doses_total", 800), "people_per_dose",
                        1.5425f)
                    : r).toList();
            }
            assertEquals(raw, rawRows(), said);
            assertEquals(product, productRows(), said);
            assertEquals(recordedDigests(), keptDigests(), said);
        }
    }

    private static Map<String, Object> withValue(Map<String, Object> row, String column, Object value) {
        Map<String, Object> changed = new java.util.LinkedHashMap<>(row);
        changed.put(column, value);
        return changed;
    }

    /** What the last good run recorded of the raw tables and the product it left. */
    private Map<String, String> recordedDigests() {
        return jdbi().withHandle(h -> {
            long run = h.createQuery("select max(run_id) from dwh.refresh_runs where status in ('succeeded', "
                + "'unchanged')").mapTo(Long.class).one();
            Map<String, String> digests = new java.util.TreeMap<>();
            h.createQuery("select source, rows_digest from dwh.refresh_run_sources where run_id = :run")
                .bind("run", run).mapToMap().forEach(r -> digests.put((String) r.get("source"),
                    (String) r.get("rows_digest")));
            digests.put("product", h.createQuery("select product_digest from dwh.refresh_runs where run_id = :run")
                .bind("run", run).mapTo(String.class).one());
            return digests;
        });
    }

    /** The same digests, of what the warehouse holds now. */
    private Map<String, String> keptDigests() {
        return jdbi().withHandle(h -> {
            Map<String, String> digests = new java.util.TreeMap<>();
            for (dev.statedoses.source.SourceName source : dev.statedoses.source.SourceName.values()) {
                digests.put(source.label(), RawTables.digest(h, source));
            }
            digests.put("product", RefreshRuns.productDigest(h));
            return digests;
        });
    }

    /**
     * A warehouse whose last good run is from before the digests were kept (V22): its raw tables
     * are compared by row count, and the unchanged run keeps the digests they and the product give
     * then, so that edits after it are found. Vermont: 1234 people / 700 doses = 1.7629.
     */
    @Test
    void aRunFromBeforeDigestsWereKeptKeepsThemFromTheNextUnchangedRun() {
        refresh("");
        jdbi().useHandle(h -> {
            h.execute("update dwh.refresh_run_sources set rows_digest = null");
            h.execute("update dwh.refresh_runs set product_digest = null");
        });
        JsonPath unchanged = refresh("");
        assertEquals("unchanged", unchanged.getString("status"));
        long run = unchanged.getLong("run_id");
        assertEquals(List.of(true, true, true), jdbi().withHandle(h -> h.createQuery("select rows_digest is not null "
            + "from dwh.refresh_run_sources where run_id = :run order by source").bind("run", run)
            .mapTo(Boolean.class).list()));
        assertEquals(true, jdbi().withHandle(h -> h.createQuery("select product_digest is not null "
            + "from dwh.refresh_runs where run_id = :run").bind("run", run).mapTo(Boolean.class).one()));

        jdbi().useHandle(h -> {
            h.execute("update raw.cdc_pfizer_allocations set first_dose_allocations = 900 where jurisdiction = 'Vermont'");
            h.execute("update dwh.state_doses set population = 1 where state = 'Vermont'");
        });
        JsonPath rebuilt = refresh("");
        assertEquals("succeeded", rebuilt.getString("status"));
        assertEquals(List.of(true, false, true), rebuilt.getList("sources.unchanged"));
        app.given().get("/ratios/VT").then().statusCode(200)
            .body("population", org.hamcrest.Matchers.equalTo(1234))
            .body("doses_pfizer", org.hamcrest.Matchers.equalTo(100))
            .body("people_per_dose", org.hamcrest.Matchers.equalTo(1.7629f));
    }

    /** One edit by hand, of a raw table or of the product, picked by {@code random}. */
    private static String handEdit(java.util.Random random) {
        String[] allocations = {"raw.cdc_moderna_allocations", "raw.cdc_pfizer_allocations"};
        String table = allocations[random.nextInt(2)];
        String column = random.nextBoolean() ? "first_dose_allocations" : "second_dose_allocations";
        int row = random.nextInt(7);
        String nth = "(select line from " + table + " order by line offset " + row + " limit 1)";
        String nextRow = "(select line from " + table + " order by line offset " + ((row + 1) % 7) + " limit 1)";
        String[] states = {"New York", "Vermont", "Illinois", "Pennsylvania", "Alabama"};
        String state = states[random.nextInt(states.length)];
        return switch (random.nextInt(10)) {
            case 0 -> "update " + table + " set " + column + " = " + column + " + " + (1 + random.nextInt(500))
                + " where line = " + nth;
            case 1 -> "update " + table + " set jurisdiction = 'Vermont' where line = " + nth
                + " and jurisdiction <> 'Vermont'";
            // Two rows' values swapped: the count and the sum of the column stay.
            case 2 -> "update " + table + " t set " + column + " = o." + column + " from " + table + " o where "
                + "(t.line, o.line) in ((" + nth + ", " + nextRow + "), (" + nextRow + ", " + nth + "))";
            case 3 -> "update raw.county_population set population_estimate_2018 = population_estimate_2018 * 2";
            case 4 -> "update raw.county_population set population_estimate_2018 = population_estimate_2018 + 1 "
                + "where line = (select line from raw.county_population order by line offset "
                + random.nextInt(40) + " limit 1)";
            // A row written again as it was: the same rows, whatever the refresh makes of it.
            case 5 -> "update " + table + " set " + column + " = " + column + " where line = " + nth;
            case 6 -> "update dwh.state_doses set people_per_dose = people_per_dose + 0.0001 where state = '"
                + state + "'";
            // A population changed with its ratio made to agree: no data check could tell.
            case 7 -> "update dwh.state_doses set population = population + 10, people_per_dose = "
                + "round((population + 10)::numeric / nullif(doses_total, 0), 4) where state = '" + state + "'";
            case 8 -> "delete from dwh.state_doses_weekly where (state, week) = (select state, week from "
                + "dwh.state_doses_weekly order by state, week offset " + random.nextInt(20) + " limit 1)";
            default -> "update dwh.state_doses_weekly set doses_moderna = doses_moderna + 1 where (state, week) = "
                + "(select state, week from dwh.state_doses_weekly order by state, week offset "
                + random.nextInt(20) + " limit 1)";
        };
    }

    /** The product's rows as the API serves them, without the refresh's time. */
    private List<Map<String, Object>> productRows() {
        List<Map<String, Object>> rows = app.given().get("/ratios").then().statusCode(200).extract().jsonPath()
            .getList("$");
        rows.forEach(r -> r.remove("refreshed_at"));
        return rows;
    }

    /** Every state's weeks, as the warehouse holds them, without the refresh's time and run. */
    private List<Map<String, Object>> weeklyRows() {
        return jdbi().withHandle(h -> h.createQuery("select state, state_code, week, doses_moderna, doses_pfizer, "
            + "doses_moderna_cumulative, doses_pfizer_cumulative, doses_total_cumulative, people_per_dose "
            + "from dwh.state_doses_weekly order by state, week").mapToMap().list());
    }

    /** The raw tables' rows, without the run that loaded them. */
    private Map<String, List<Map<String, Object>>> rawRows() {
        return jdbi().withHandle(h -> Map.of(
            "moderna", h.createQuery("select line, jurisdiction, week_of_allocations, first_dose_allocations, "
                + "second_dose_allocations from raw.cdc_moderna_allocations order by line").mapToMap().list(),
            "pfizer", h.createQuery("select line, jurisdiction, week_of_allocations, first_dose_allocations, "
                + "second_dose_allocations from raw.cdc_pfizer_allocations order by line").mapToMap().list(),
            "population", h.createQuery("select line, id, id2, county, state, population_estimate_2018 "
                + "from raw.county_population order by line").mapToMap().list()));
    }

    /**
     * Moderna changes (Vermont's 300 first doses become 400), and the upstream (a cache a step
     * behind) answers the conditional request 304 while naming the new version: its ETag, or a
     * newer Last-Modified. That 304 says the source changed: it is fetched again, whole, and
     * loaded; so does one that names our version and the new one in two ETag lines, since it does
     * not say which it speaks of. Vermont: 1234 / (700 + 100) = 1.5425. The validators kept are the new body's, so an
     * honest 304 afterwards keeps the new rows (it once stored the new ETag beside the old
     * file's hash, and the stale product stayed until force=true).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "the 304 names another {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ETag", "Last-Modified", "ETag and ours"})
    void aNotModifiedNamingAnotherVersionIsAChangeAndLoadsTheNewBody(String validator) {
        JsonPath first = refresh("");
        serve("/m.csv", changedModerna(), 2);
        upstream.serve("/m.csv", exchange -> {
            String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
            requests.add("/m.csv If-None-Match=" + ifNoneMatch + " If-Modified-Since="
                + exchange.getRequestHeaders().getFirst("If-Modified-Since"));
            if (ifNoneMatch == null) {
                conditionalAnswer(exchange);
                return;
            }
            // Not modified, says it, about the version it names.
            boolean otherEtag = validator.startsWith("ETag");
            // "ETag and ours": ours on the first line, where a reader of the first line alone stops.
            exchange.getResponseHeaders().set("ETag", validator.equals("ETag") ? "\"m-v2\"" : "\"m-v1\"");
            if (validator.equals("ETag and ours")) {
                exchange.getResponseHeaders().add("ETag", "\"m-v2\"");
            }
            exchange.getResponseHeaders().set("Last-Modified", otherEtag ? "Mon, 01 Mar 2021 00:00:00 GMT"
                : "Tue, 02 Mar 2021 00:00:00 GMT");
            exchange.sendResponseHeaders(304, -1);
        });
        requests.clear();

        JsonPath report = refresh("");
        assertEquals("succeeded", report.getString("status"));
        assertEquals(false, source(report, "moderna").get("unchanged"));
        assertEquals("\"m-v2\"", source(report, "moderna").get("etag"));
        assertEquals("Tue, 02 Mar 2021 00:00:00 GMT", source(report, "moderna").get("last_modified"));
        assertEquals(2, source(report, "moderna").get("attempts"));
        assertEquals(List.of("/m.csv If-None-Match=\"m-v1\" If-Modified-Since=Mon, 01 Mar 2021 00:00:00 GMT",
            "/m.csv If-None-Match=null If-Modified-Since=null"),
            requests.stream().filter(r -> r.startsWith("/m.csv")).toList());
        assertNotEquals(source(first, "moderna").get("sha256"), source(report, "moderna").get("sha256"));
        app.given().get("/ratios/VT").then().statusCode(200)
            .body("doses_moderna", org.hamcrest.Matchers.equalTo(700))
            .body("people_per_dose", org.hamcrest.Matchers.equalTo(1.5425f));

        // An honest upstream from now on: the new version is what the service asks about.
        upstream.serve("/m.csv", this::conditional);
        JsonPath again = refresh("");
        assertEquals("unchanged", again.getString("status"));
        assertEquals(source(report, "moderna").get("sha256"), source(again, "moderna").get("sha256"));
        app.given().get("/ratios/VT").then().body("people_per_dose", org.hamcrest.Matchers.equalTo(1.5425f));
    }

    /**
     * Moderna changed and its new body was reset halfway, while the refresh was loading it: the
     * retry asks for the whole body, unconditionally, and loads it. (Asked conditionally, a cache
     * a step behind answered 304, and the refresh failed "the body is empty: expected a CSV header
     * (after 2 attempts)".) The reset waits for the load to begin: sent at once, the JDK's client
     * could report it before handing the answer over, a reset before any answer, rightly asked
     * again with the same condition (RawUpstream.resetMidBody).
     */
    @Test
    void aRetryOfAChangedSourceAsksForItWhole() throws Exception {
        byte[] changed = changedModerna();
        RawUpstream.MidBodyReset cut = RawUpstream.resetMidBody(changed, changed.length / 2, "ETag: \"m-v2\"");
        try (RawUpstream raw = RawUpstream.start(
                RawUpstream.answer(200, "ETag: \"m-v1\"", Fixtures.bytes("moderna.csv")),
                cut,
                RawUpstream.byRequest(head -> RawUpstream.conditional(head)
                    ? RawUpstream.answer(304, "ETag: \"m-v1\"", new byte[0])
                    : RawUpstream.answer(200, "ETag: \"m-v2\"", changed)));
             RunningApp local = RunningApp.start(ConfigBuilder.from(config).moderna(raw.url("/m.csv")).build())) {
            local.given().post("/refresh").then().statusCode(200);
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> local.given().post("/refresh"));
            local.awaitCopyingInto("raw.cdc_moderna_allocations");
            cut.reset();
            JsonPath report = refresh.get(30, TimeUnit.SECONDS).then().statusCode(200).extract().jsonPath();
            assertEquals("succeeded", report.getString("status"));
            assertEquals(2, source(report, "moderna").get("attempts"));
            assertEquals("\"m-v2\"", source(report, "moderna").get("etag"));
            List<String> asked = raw.requests();
            assertEquals(3, asked.size());
            assertTrue(RawUpstream.conditional(asked.get(1)), asked.get(1));
            assertFalse(RawUpstream.conditional(asked.get(2)), asked.get(2));
            local.given().get("/ratios/VT").then().statusCode(200)
                .body("doses_moderna", org.hamcrest.Matchers.equalTo(700))
                .body("people_per_dose", org.hamcrest.Matchers.equalTo(1.5425f));
        }
    }

    /**
     * A body whose end only the connection's close marks (no Content-Length, not chunked) leaves
     * no validators: cut at a line end, it loads as a shorter file, and its ETag, which names the
     * whole file, would have been sent back and answered 304 by every later refresh, keeping the
     * short file for good. Here the first answer stops before the fixture's two rows of 28
     * December 2020 (New York's 500 and New York City's 200 doses); the second refresh asks again
     * without conditions and loads the whole file, though its ETag is the same.
     */
    @Test
    void aBodyEndedOnlyByTheConnectionLeavesNoValidators() {
        byte[] whole = Fixtures.bytes("moderna.csv");
        String text = new String(whole, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf("\"New York\",\"2020-12-28")).getBytes(StandardCharsets.UTF_8);
        String validators = "ETag: \"m-v1\"\r\nLast-Modified: Mon, 04 Jan 2021 00:00:00 GMT\r\nDate: "
            + HttpDate.format(java.time.Instant.now());
        try (RawUpstream raw = RawUpstream.start(
                RawUpstream.framed(validators, cut),
                RawUpstream.byRequest(head -> RawUpstream.conditional(head)
                    ? RawUpstream.answer(304, "ETag: \"m-v1\"", new byte[0])
                    : RawUpstream.framed(validators, whole)));
             RunningApp local = RunningApp.start(ConfigBuilder.from(config).moderna(raw.url("/m.csv")).build())) {
            JsonPath first = local.given().post("/refresh").then().statusCode(200).extract().jsonPath();
            assertNull(source(first, "moderna").get("etag"), "an ETag kept for a body of no declared end");
            assertNull(source(first, "moderna").get("last_modified"));
            local.given().get("/ratios/NY").then().statusCode(200).body("doses_moderna", org.hamcrest.Matchers.equalTo(2800));

            JsonPath second = local.given().post("/refresh").then().statusCode(200).extract().jsonPath();
            assertEquals("succeeded", second.getString("status"));
            List<String> asked = raw.requests();
            assertEquals(2, asked.size());
            assertFalse(RawUpstream.conditional(asked.get(1)), asked.get(1));
            local.given().get("/ratios/NY").then().statusCode(200).body("doses_moderna", org.hamcrest.Matchers.equalTo(3500));
        }
    }

    /** The fixtures' Moderna with Vermont's 300 first doses of 4 January 2021 made 400. */
    private static byte[] changedModerna() {
        String old = "\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"300\"";
        String moderna = text("moderna.csv");
        assertTrue(moderna.contains(old));
        return moderna.replace(old, "\"Vermont\",\"2021-01-04T00:00:00.000\",\"400\",\"300\"")
            .getBytes(StandardCharsets.UTF_8);
    }

    /** The three requests arrive before any is answered: each answer waits for all three to arrive. */
    @Test
    void theThreeSourcesAreAskedForAtOnce() {
        CountDownLatch allAsked = new CountDownLatch(3);
        for (String path : List.of("/m.csv", "/p.csv", "/c.csv")) {
            upstream.serve(path, exchange -> {
                allAsked.countDown();
                if (!allAsked.await(20, TimeUnit.SECONDS)) {
                    exchange.sendResponseHeaders(503, -1); // asked one after another: never all three
                    return;
                }
                conditional(exchange);
            });
        }
        JsonPath report = refresh("");
        assertEquals("succeeded", report.getString("status"));
        assertEquals(List.of(1, 1, 1), report.getList("sources.attempts"));
    }

    /** Sources without validators (files, or an upstream that sends none) are unchanged when their bytes hash the same. */
    @Test
    void filesThatHashTheSameAreUnchanged(@TempDir Path dir) throws IOException {
        Path moderna = Files.write(dir.resolve("m.csv"), Fixtures.bytes("moderna.csv"));
        Path pfizer = Files.write(dir.resolve("p.csv"), Fixtures.bytes("pfizer.csv"));
        Path population = Files.write(dir.resolve("c.csv"), Fixtures.bytes("county_population.csv"));
        Config files = ConfigBuilder.from(TestWarehouse.newDatabase())
            .sources(moderna.toUri(), pfizer.toUri(), population.toUri()).build();
        try (RunningApp local = RunningApp.start(files)) {
            local.given().post("/refresh").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("succeeded"));
            JsonPath again = local.given().post("/refresh").then().statusCode(200).extract().jsonPath();
            assertEquals("unchanged", again.getString("status"));
            assertNull(again.getString("sources[0].etag"));

            Files.writeString(moderna, text("moderna.csv").replace("\n", "\r\n")); // other bytes, same rows
            JsonPath changed = local.given().post("/refresh").then().statusCode(200).extract().jsonPath();
            assertEquals("succeeded", changed.getString("status"));
            assertEquals(List.of(false, true, true), changed.getList("sources.unchanged"));
            assertFalse(changed.getString("sources[0].sha256").equals(again.getString("sources[0].sha256")));
        }
    }

    private Jdbi jdbi() {
        return app.wiring().warehouse().jdbi();
    }

    private static String text(String fixture) {
        return new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8);
    }
}
