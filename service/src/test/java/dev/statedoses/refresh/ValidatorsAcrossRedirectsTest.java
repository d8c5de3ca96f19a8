package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.HttpDate;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Validators across redirects. An {@code ETag} or a {@code Last-Modified} says something only of
 * the resource that sent it, so the run log records with them the URL a redirect led to
 * ({@code answered_at}), and the next refresh sends them to that URL alone. Before, they were
 * sent to every hop: a source whose redirect had moved to another file that uses the same tag, or
 * that now served a file itself under the tag its old target used, was answered 304, and the
 * refresh kept the old rows as "unchanged" for as long as the tags agreed.
 *
 * <p>Every file here names its versions as many upstreams do, from "v1" up, with a date a day
 * later per version, so tags and dates of different files meet. The numbers: each file is the
 * fixtures' Moderna with Vermont's first doses of 4 January 2021 (300 in the fixture) set to
 * {@code first}; Vermont's Moderna doses are then {@code first} + 300 (its second doses).
 */
class ValidatorsAcrossRedirectsTest {

    private static final List<String> FILES = List.of("/m.csv", "/a/m.csv", "/b/m.csv", "/c/m.csv");

    private FixtureServer upstream;
    private RunningApp app;
    /** What each path serves as a file: Vermont's first doses and the version (ETag "v<version>"). */
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    /** Where each path redirects to (302), instead of serving its file. */
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    /** Each request for Moderna: "path If-None-Match=… If-Modified-Since=…". */
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private record Served(int first, int version) {
    }

    @BeforeEach
    void start() {
        upstream = FixtureServer.start();
        for (String path : FILES) {
            upstream.serve(path, this::answer);
        }
        upstream.serve("/hop", this::answer);
        app = RunningApp.start(ConfigBuilder.from(TestWarehouse.newDatabase()).sources(upstream.url("/m.csv"),
            upstream.serveFixture("/p.csv", "pfizer.csv"), upstream.serveFixture("/c.csv", "county_population.csv"))
            .build());
    }

    @AfterEach
    void stop() {
        app.close();
        upstream.close();
    }

    /** {@code path} serves Moderna with Vermont's first doses {@code first}: its first version, or its next. */
    private void file(String path, int first) {
        files.merge(path, new Served(first, 1), (was, now) -> new Served(first, was.version() + 1));
        redirects.remove(path);
    }

    /** As S3 answers: 304 when If-None-Match names the file's current tag (or, without it, the date is the same). */
    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        String ifModifiedSince = exchange.getRequestHeaders().getFirst("If-Modified-Since");
        requests.add(path + " If-None-Match=" + ifNoneMatch + " If-Modified-Since=" + ifModifiedSince);
        String to = redirects.get(path);
        if (to != null) {
            exchange.getResponseHeaders().set("Location", to);
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        Served served = files.get(path);
        String etag = "\"v" + served.version() + "\"";
        String lastModified = HttpDate.format(Instant.parse("2021-03-01T00:00:00Z")
            .plus(Duration.ofDays(served.version() - 1)));
        exchange.getResponseHeaders().set("ETag", etag);
        exchange.getResponseHeaders().set("Last-Modified", lastModified);
        if (ifNoneMatch != null ? ifNoneMatch.equals(etag) : lastModified.equals(ifModifiedSince)) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        byte[] body = moderna(served.first());
        exchange.getResponseHeaders().set("Content-Type", "text/csv");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] moderna(int vermontFirstDoses) {
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        String line = "\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"300\"";
        assertTrue(fixture.contains(line));
        return fixture.replace(line, "\"Vermont\",\"2021-01-04T00:00:00.000\",\"" + vermontFirstDoses + "\",\"300\"")
            .getBytes(StandardCharsets.UTF_8);
    }

    private JsonPath refresh() {
        requests.clear();
        return app.given().post("/refresh").then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> moderna(JsonPath report) {
        return report.getMap("sources.find { it.source == 'moderna' }");
    }

    private int vermontModernaDoses() {
        return app.given().get("/ratios/VT").then().statusCode(200).extract().jsonPath().getInt("doses_moderna");
    }

    private static String asked(String path, String etag, String lastModified) {
        return path + " If-None-Match=" + etag + " If-Modified-Since=" + lastModified;
    }

    private static String unconditional(String path) {
        return asked(path, null, null);
    }

    private static final String V1 = "\"v1\"";
    private static final String MARCH_1 = "Mon, 01 Mar 2021 00:00:00 GMT";

    @Test
    void aRedirectMovedToAnotherFileWithTheSameTagIsLoaded() {
        file("/a/m.csv", 300);
        file("/b/m.csv", 400);
        redirects.put("/m.csv", "/a/m.csv");
        JsonPath first = refresh();
        assertEquals("succeeded", first.getString("status"));
        assertEquals(V1, moderna(first).get("etag"));
        assertEquals(upstream.url("/a/m.csv").toString(), moderna(first).get("answered_at"));
        assertEquals(600, vermontModernaDoses());

        redirects.put("/m.csv", "/b/m.csv");
        JsonPath moved = loadedAfter(List.of(unconditional("/m.csv"), unconditional("/b/m.csv")), 700);
        assertEquals(upstream.url("/b/m.csv").toString(), moderna(moved).get("answered_at"));
    }

    /** A refresh that loads Moderna, changed, having asked {@code expected}; Vermont's doses then {@code vermont}. */
    private JsonPath loadedAfter(List<String> expected, int vermont) {
        JsonPath run = refresh();
        assertEquals("succeeded", run.getString("status"));
        assertEquals(false, moderna(run).get("unchanged"));
        assertEquals(expected, requests);
        assertEquals(vermont, vermontModernaDoses());
        return run;
    }

    /**
     * A redirect that has not moved: the validators go to its target, not to the URL that
     * redirects (whose own tag they are not), and the run is unchanged; a new version there is loaded.
     */
    @Test
    void aRedirectThatStaysIsAskedAtItsTarget() {
        file("/a/m.csv", 300);
        redirects.put("/m.csv", "/a/m.csv");
        refresh();

        JsonPath again = refresh();
        assertEquals("unchanged", again.getString("status"));
        assertEquals(upstream.url("/a/m.csv").toString(), moderna(again).get("answered_at"));
        assertEquals(List.of(unconditional("/m.csv"), asked("/a/m.csv", V1, MARCH_1)), requests);

        file("/a/m.csv", 500);
        JsonPath changed = loadedAfter(List.of(unconditional("/m.csv"), asked("/a/m.csv", V1, MARCH_1)), 800);
        assertEquals("\"v2\"", moderna(changed).get("etag"));
    }

    /**
     * A redirect to a pre-signed URL, signed again at every request (a new X-Amz-Date and
     * signature): the same file, asked with its validators and unchanged; the run shows the URL
     * that answered, its secrets hidden.
     */
    @Test
    void aRedirectToAUrlSignedAgainIsAskedWithItsValidators() {
        file("/a/m.csv", 300);
        redirects.put("/m.csv", "/a/m.csv?X-Amz-Date=20211129T080000Z&X-Amz-Signature=first");
        refresh();
        redirects.put("/m.csv", "/a/m.csv?X-Amz-Date=20211130T080000Z&X-Amz-Signature=second");

        JsonPath again = refresh();
        assertEquals("unchanged", again.getString("status"));
        assertEquals(List.of(unconditional("/m.csv"), asked("/a/m.csv", V1, MARCH_1)), requests);
        assertEquals(upstream.url("/a/m.csv") + "?X-Amz-Date=20211130T080000Z&X-Amz-Signature=***",
            moderna(again).get("answered_at"));
    }

    /**
     * The source's URL and its redirect trade places: a redirect taken away (the URL now serves
     * a file itself), or one put in (to a file of its own). Either way the file that answers now
     * is not the one whose validators were kept, though its tag and date are the same: it is asked
     * for whole and loaded.
     */
    @ParameterizedTest(name = "redirect at first: {0}")
    @ValueSource(booleans = {true, false})
    void aRedirectTakenAwayOrPutInAsksTheNewFileWhole(boolean redirectedAtFirst) {
        if (redirectedAtFirst) {
            file("/a/m.csv", 300);
            redirects.put("/m.csv", "/a/m.csv");
        } else {
            file("/m.csv", 300);
        }
        assertEquals(V1, moderna(refresh()).get("etag"));

        String now = redirectedAtFirst ? "/m.csv" : "/b/m.csv";
        file(now, 400);
        if (!redirectedAtFirst) {
            redirects.put("/m.csv", "/b/m.csv");
        }
        // The URL whose validators were kept is asked with them, whatever it answers now.
        JsonPath changed = loadedAfter(redirectedAtFirst ? List.of(unconditional("/m.csv"))
            : List.of(asked("/m.csv", V1, MARCH_1), unconditional("/b/m.csv")), 700);
        assertEquals(V1, moderna(changed).get("etag"));
    }

    /**
     * A run recorded before answered_at (V24) has validators that may be a redirect target's. They
     * are taken as the source URL's own, so the target is asked for whole, and the hash of its
     * bytes still finds it unchanged; the run then records where they came from.
     */
    @Test
    void aRunFromBeforeTheColumnAsksTheTargetWholeAndKeepsItByItsHash() {
        file("/a/m.csv", 300);
        redirects.put("/m.csv", "/a/m.csv");
        refresh();
        app.wiring().warehouse().jdbi()
            .useHandle(h -> h.execute("update dwh.refresh_run_sources set answered_at = null"));

        JsonPath again = refresh();
        assertEquals("unchanged", again.getString("status"));
        assertEquals(List.of(asked("/m.csv", V1, MARCH_1), unconditional("/a/m.csv")), requests);
        assertEquals(upstream.url("/a/m.csv").toString(), moderna(again).get("answered_at"));
        assertEquals("unchanged", refresh().getString("status"));
        assertEquals(List.of(unconditional("/m.csv"), asked("/a/m.csv", V1, MARCH_1)), requests);
    }

    /**
     * A seeded history: each step moves the redirect (to one of three files, through one hop or
     * two, or away), gives a file a new version (its tag and date meet other files'), or changes
     * nothing. After each refresh, what is served is what the product shows; the source is
     * unchanged exactly when the bytes that answered are the bytes loaded last; a condition went
     * only to the URL that answered the refresh before; and the run names the URL that answered.
     */
    @Test
    void aRandomHistoryOfRedirectsLoadsWhatIsServed() {
        Random random = new Random(20261206L);
        int[] values = {300, 400, 500};
        for (String path : FILES) {
            file(path, values[random.nextInt(values.length)]);
        }
        String answeredBefore = null;
        Integer loadedBefore = null;
        List<String> history = new ArrayList<>();
        for (int step = 0; step < 40; step++) {
            String target = FILES.get(random.nextInt(FILES.size()));
            switch (random.nextInt(4)) {
                case 0 -> {
                    redirects.clear();
                    if (!target.equals("/m.csv")) {
                        redirects.put("/m.csv", random.nextBoolean() ? target : "/hop");
                        redirects.put("/hop", target);
                    }
                    history.add("to " + target);
                }
                case 1 -> {
                    file(target, values[random.nextInt(values.length)]);
                    history.add("new " + target + " " + files.get(target));
                }
                default -> history.add("none");
            }
            String answering = finalTarget();
            int served = files.get(answering).first();
            JsonPath run = refresh();
            String where = "after " + history;
            assertEquals(served + 300, vermontModernaDoses(), where);
            if (loadedBefore != null) {
                assertEquals(served == loadedBefore, moderna(run).get("unchanged"), where);
            }
            String answeredAt = answering.equals("/m.csv") ? null : upstream.url(answering).toString();
            assertEquals(answeredAt, moderna(run).get("answered_at"), where);
            for (String request : requests) {
                if (!request.endsWith("If-None-Match=null If-Modified-Since=null")) {
                    assertEquals(answeredBefore, request.substring(0, request.indexOf(' ')), where + ": " + request);
                }
            }
            answeredBefore = answering;
            loadedBefore = served;
        }
    }

    /** Where /m.csv leads now, following the redirects. */
    private String finalTarget() {
        String at = "/m.csv";
        while (redirects.containsKey(at)) {
            at = redirects.get(at);
        }
        return at;
    }
}
