package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.BuildInfo;
import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RawUpstream;
import dev.statedoses.support.RunningApp;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A source that fails once is fetched again: 5xx and 429 answers, a refused connection, and a
 * connection reset before or in the middle of the body are transient; the refresh tries again
 * (after the upstream's Retry-After, when it sends one) within SOURCE_TIMEOUT and succeeds, and
 * its report says how many attempts it took. A 4xx is not tried again, nor a 2xx other than 200
 * (a 206 is part of the file, never the whole), nor is a fault that
 * outlasts the attempts or the budget: that refresh fails as before, saying after how many.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransientFaultsTest {

    private static final byte[] MODERNA = Fixtures.bytes("moderna.csv");

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** GET /ratios as the good refresh left it. */
    private String product;

    @BeforeAll
    void keepTheProduct() {
        product = loaded.given().get("/ratios").asString();
    }

    /** The good product's configuration, to change for one refresh. */
    private static ConfigBuilder good() {
        return ConfigBuilder.from(loaded.config());
    }

    /** Refreshes with moderna from {@code upstream}; answers the report (200 expected). */
    private JsonPath refreshesWith(RawUpstream upstream) {
        Config sources = good().moderna(upstream.url("/moderna.csv")).build();
        try (RunningApp app = RunningApp.start(sources)) {
            return app.given().post("/refresh").then().statusCode(200).extract().jsonPath();
        }
    }

    private static int modernaAttempts(JsonPath report) {
        return report.getInt("sources.find { it.source == 'moderna' }.attempts");
    }

    private static String withoutTimes(String ratios) {
        return ratios.replaceAll("\"refreshed_at\":\"[^\"]*\"", "");
    }

    @Test
    void twoServiceUnavailablesThenTheFileLoadsOnTheThirdAttempt() {
        try (RawUpstream upstream = RawUpstream.start(
                RawUpstream.answer(503, "", "busy".getBytes(StandardCharsets.UTF_8)),
                RawUpstream.answer(503, "", "busy".getBytes(StandardCharsets.UTF_8)),
                RawUpstream.ok(MODERNA))) {
            long start = System.nanoTime();
            JsonPath report = refreshesWith(upstream);
            long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(3, modernaAttempts(report));
            assertEquals(3, upstream.requests().size());
            // Paused 250 ms, then 500 ms, before the second and third attempts.
            assertTrue(tookMs >= 750, "took " + tookMs + " ms");
            assertEquals(13930, report.getLong("doses_in_sources"));
            assertEquals(3, (int) loaded.app().wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                    "select attempts from dwh.refresh_run_sources where run_id = :run and source = 'moderna'")
                .bind("run", report.getLong("run_id")).mapTo(Integer.class).one()));
        }
    }

    @Test
    void tooManyRequestsIsTriedAgainAfterItsRetryAfter() {
        try (RawUpstream upstream = RawUpstream.start(
                RawUpstream.answer(429, "Retry-After: 1", "slow down".getBytes(StandardCharsets.UTF_8)),
                RawUpstream.ok(MODERNA))) {
            long start = System.nanoTime();
            JsonPath report = refreshesWith(upstream);
            long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(2, modernaAttempts(report));
            assertTrue(tookMs >= 1000, "did not wait the second Retry-After asked for: " + tookMs + " ms");
        }
    }

    /**
     * Resets before any answer. (The JDK's client may itself try a GET once more on a fresh
     * connection, so three resets make sure the refresh's own retry is what gets the file.)
     */
    @Test
    void aConnectionResetBeforeAnyAnswerIsTriedAgain() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.resetAtOnce(), RawUpstream.resetAtOnce(),
                RawUpstream.resetAtOnce(), RawUpstream.ok(MODERNA))) {
            JsonPath report = refreshesWith(upstream);
            assertTrue(modernaAttempts(report) >= 2, "attempts: " + modernaAttempts(report));
            assertEquals(4, upstream.requests().size());
            assertEquals(13930, report.getLong("doses_in_sources"));
        }
    }

    /**
     * Reset after half the body, once the refresh is loading it (its raw table emptied, its COPY
     * under way): the load is rolled back to the source's savepoint and the whole file loads
     * again, once: the product is the clean one, no row twice. (Reset at once, behind the bytes,
     * the JDK's client could report it before handing the answer over, a reset before any answer:
     * see RawUpstream.resetMidBody.)
     */
    @Test
    void aConnectionResetInTheMiddleOfTheBodyLoadsTheSourceAgainFromItsStart() throws Exception {
        RawUpstream.MidBodyReset cut = RawUpstream.resetMidBody(MODERNA, MODERNA.length / 2, "");
        try (RawUpstream upstream = RawUpstream.start(cut, RawUpstream.ok(MODERNA));
             RunningApp app = RunningApp.start(good().moderna(upstream.url("/moderna.csv")).build())) {
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(() -> app.given().post("/refresh"));
            app.awaitCopyingInto("raw.cdc_moderna_allocations");
            cut.reset();
            JsonPath report = refresh.get(30, TimeUnit.SECONDS).then().statusCode(200).extract().jsonPath();
            assertEquals(2, modernaAttempts(report));
            assertEquals(8, report.getInt("sources.find { it.source == 'moderna' }.rows"));
            assertEquals(13930, report.getLong("doses_in_sources"));
            assertEquals(2, upstream.requests().size());
            // Read from the instance that refreshed: it serves its own product once the refresh answers.
            assertEquals(withoutTimes(product), withoutTimes(app.given().get("/ratios").asString()));
        }
    }

    @Test
    void aClientErrorIsNotTriedAgain() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(404, "", "no".getBytes(StandardCharsets.UTF_8)),
                RawUpstream.ok(MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("detail", equalTo("moderna source (" + url + "): upstream answered HTTP 404"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /**
     * A source last loaded without validators (its upstream sent no ETag or Last-Modified) is
     * asked for again without any; a 304 to that says nothing about what changed, so it must not
     * make the source, or the run, "unchanged".
     */
    @Test
    void aNotModifiedToARequestThatNamedNoVersionFailsTheRefresh() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.ok(MODERNA),
                RawUpstream.answer(304, "", new byte[0]))) {
            JsonPath first = refreshesWith(upstream);
            assertEquals("succeeded", first.getString("status"));
            assertNull(first.getString("sources.find { it.source == 'moderna' }.etag"));
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("detail", equalTo("moderna source (" + url + "): upstream answered HTTP 304 (not modified) to "
                    + "a request that named no version: it sent no body to load"))
                .body("attempts", equalTo(1)));
            String asked = upstream.requests().get(1).toLowerCase(java.util.Locale.ROOT);
            assertTrue(!asked.contains("if-none-match") && !asked.contains("if-modified-since"), asked);
            assertEquals(2, upstream.requests().size());
        }
    }

    /**
     * Half the file as a 206 (the service never asks for a range): not loaded, not tried again,
     * and the product stays. It was loaded as the whole file.
     */
    @Test
    void aPartialContentIsNotLoadedAsTheFile() {
        int half = MODERNA.length / 2;
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(206,
                "Content-Range: bytes 0-" + (half - 1) + "/" + MODERNA.length, java.util.Arrays.copyOf(MODERNA, half)),
                RawUpstream.ok(MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", equalTo("moderna source (" + url + "): upstream answered HTTP 206 (Partial Content), "
                    + "not 200: only a 200 carries the whole file to load"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /** Content-Ranges a 200 may carry that do not say it is the whole file of {@code length} bytes, ending at {@code end}. */
    static List<String> partsOfTheFile() {
        int length = MODERNA.length;
        int end = new String(MODERNA, StandardCharsets.ISO_8859_1).indexOf('\n', length / 2) + 1;
        return List.of("bytes 0-" + (end - 1) + "/" + length, "bytes 0-" + (end - 1) + "/*", "bytes */" + length,
            "bytes 1-" + end + "/" + (length + 1), "bytes 0-" + (end - 1) + "/" + end + ", bytes 0-" + (end - 1) + "/"
                + length, "lines 1-20/40", "bytes 0-" + (length - 1) + "/" + (length + 7), "bytes=0-" + (end - 1));
    }

    /**
     * A 200 whose Content-Range says it carries a part (a cache or proxy that answered a range no
     * one asked for, with the whole file's ETag): the part loaded as the file, 17 states' doses
     * short, and its ETag kept, so every later refresh was answered 304 and kept the part. Refused,
     * once, quoting the range, and the product stays. The body is what the range says: the file up
     * to a line end in its middle.
     */
    @ParameterizedTest(name = "Content-Range: {0}")
    @MethodSource("partsOfTheFile")
    void a200ThatSaysItIsAPartIsNotLoaded(String range) {
        int end = new String(MODERNA, StandardCharsets.ISO_8859_1).indexOf('\n', MODERNA.length / 2) + 1;
        String[] lines = range.split(", (?=bytes)");
        String headers = "ETag: \"v2\"\r\n" + String.join("\r\n", java.util.Arrays.stream(lines)
            .map(line -> "Content-Range: " + line).toList());
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(200, headers,
                java.util.Arrays.copyOf(MODERNA, end)))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", equalTo("moderna source (" + url + "): upstream answered HTTP 200 with Content-Range: "
                    + range + " (a part of the file, or one it does not say is the whole): only the whole file is "
                    + "loaded"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /** A 200 whose Content-Range names the whole file is the file. */
    @Test
    void a200WhoseContentRangeIsTheWholeFileLoads() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(200,
                "Content-Range: bytes 0-" + (MODERNA.length - 1) + "/" + MODERNA.length, MODERNA))) {
            JsonPath report = refreshesWith(upstream);
            assertEquals("succeeded", report.getString("status"));
            assertEquals(MODERNA.length, report.getLong("sources.find { it.source == 'moderna' }.bytes"));
        }
    }

    /**
     * A Content-Length that is no length: a list (as a proxy that folds a repeated header writes
     * it), letters, more digits than a long, a minus. The JDK's client refuses most of them as if
     * the URL were wrong ("cannot request this URL: For input string"), and took the negative one
     * for a length, calling the whole body that followed a download cut short. Each is the
     * answer's fault, told so, once.
     */
    @ParameterizedTest(name = "Content-Length: {0}")
    @ValueSource(strings = {"LENGTH, LENGTH", "LENGTH,LENGTH", "12abc", "99999999999999999999", "-5", "0x10", ""})
    void aContentLengthThatIsNoLengthIsTheAnswersFault(String written) {
        String length = written.replace("LENGTH", Integer.toString(MODERNA.length));
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.framed("Content-Length: " + length, MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", startsWith("moderna source (" + url + "): upstream's answer gives a Content-Length "
                    + "that is"))
                .body("detail", containsString(length.isEmpty() ? "(" : length))
                .body("detail", endsWith("where its body ends cannot be told, so it is not loaded (RFC 9112, 6.3)"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /**
     * Answers that break HTTP's syntax: the file with no status line (HTTP/0.9), a header name
     * with a space, a status line of letters. Each was tried four times over two seconds, as a
     * transient fault; asked again, an upstream writes the same answer. Refused once, as not HTTP.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no head", "Bad Name: x", "HTTP/1.1 OK OK"})
    void anAnswerThatIsNotHttpIsNotTriedAgain(String kind) {
        byte[] answer = switch (kind) {
            case "no head" -> MODERNA;
            case "HTTP/1.1 OK OK" -> ("HTTP/1.1 OK OK\r\nContent-Length: " + MODERNA.length + "\r\n\r\n"
                + new String(MODERNA, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
            default -> ("HTTP/1.1 200 OK\r\n" + kind + "\r\nContent-Length: " + MODERNA.length + "\r\n\r\n"
                + new String(MODERNA, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        };
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.raw(answer), RawUpstream.ok(MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", startsWith("moderna source (" + url + "): upstream's answer is not HTTP: "))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /**
     * Two Content-Lengths, the first ending the file before its last line: the JDK's client reads
     * to the first, and the refresh loaded the file without its last line (found by a run against
     * the real files, Moderna's two oldest rows lost from a succeeded refresh). Refused, once,
     * naming both lengths, and the product stays.
     */
    @Test
    void anAnswerWithTwoLengthsIsNotLoaded() {
        int lastLine = new String(MODERNA, java.nio.charset.StandardCharsets.ISO_8859_1).stripTrailing()
            .lastIndexOf('\n') + 1;
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.framed(
                "Content-Length: " + lastLine + "\r\nContent-Length: " + MODERNA.length, MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", equalTo("moderna source (" + url + "): upstream's answer gives two lengths "
                    + "(Content-Length: " + lastLine + ", " + MODERNA.length + "): where its body ends cannot be "
                    + "told, so it is not loaded (RFC 9112, 6.3)"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    @Test
    void aFaultThatOutlastsTheAttemptsFailsTheRefreshSayingSo() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(502, "", "bad gateway".getBytes(StandardCharsets.UTF_8)))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("detail", equalTo("moderna source (" + url + "): upstream answered HTTP 502 (after 4 attempts)"))
                .body("attempts", equalTo(4)));
            assertEquals(4, upstream.requests().size());
        }
    }

    /**
     * Waiting as long as the upstream asks would outlast SOURCE_TIMEOUT: it fails at once, saying
     * why. (The budget is a minute and the bound half of it, so that a loaded machine's slow
     * refresh is not taken for a wait: one that waited would take the whole minute.)
     */
    @Test
    void aRetryAfterBeyondTheBudgetIsNotWaitedFor() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(503, "Retry-After: 120", "later".getBytes(StandardCharsets.UTF_8)),
                RawUpstream.ok(MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            long start = System.nanoTime();
            loaded.refreshFails(good().moderna(url)
                .sourceLimits(Duration.ofSeconds(60), loaded.config().sourceMaxBytes()).build(), 502, r -> r
                .body("detail", containsString("upstream answered HTTP 503 (Retry-After: 120 s)"))
                .body("attempts", equalTo(1)));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 30, "it waited");
            assertEquals(1, upstream.requests().size());
        }
    }

    /**
     * Retry-After on two lines, the upstream's and a proxy's: the longer wait is the one asked for,
     * in either order. Here it is beyond the budget, so the refresh fails at once naming it; the
     * first line alone (as read before) was a wait of a second, and a second request the upstream
     * had asked not to get for two minutes.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "Retry-After: 1\r\nRetry-After: 120", "Retry-After: 120\r\nRetry-After: 1"})
    void aRetryAfterOnTwoLinesIsTheLongerWait(String lines) {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(503, lines,
                "later".getBytes(StandardCharsets.UTF_8)), RawUpstream.ok(MODERNA))) {
            loaded.refreshFails(good().moderna(upstream.url("/moderna.csv"))
                .sourceLimits(Duration.ofSeconds(60), loaded.config().sourceMaxBytes()).build(), 502, r -> r
                .body("detail", containsString("upstream answered HTTP 503 (Retry-After: 120 s)"))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /**
     * A wait of centuries (as seconds, as seconds past a long, or as a date in 9999) is a wait
     * beyond any budget, like one of an hour: the refresh fails at once as the upstream's fault,
     * naming its status (it answered 500 "long overflow", the pause in nanoseconds overflowing).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} Retry-After: {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "503|10000000000|10000000000 s",
        "429|Fri, 31 Dec 9999 23:59:59 GMT|",
        "503|99999999999999999999999999|" + (3_652_425L * 86_400) + " s"})
    void aRetryAfterOfCenturiesIsNotWaitedFor(int status, String retryAfter, String said) {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(status, "Retry-After: " + retryAfter,
                "later".getBytes(StandardCharsets.UTF_8)), RawUpstream.ok(MODERNA))) {
            URI url = upstream.url("/moderna.csv");
            loaded.refreshFails(good().moderna(url).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("source", equalTo("moderna"))
                .body("detail", containsString("moderna source (" + url + "): upstream answered HTTP " + status
                    + " (Retry-After: " + (said == null ? "" : said)))
                .body("attempts", equalTo(1)));
            assertEquals(1, upstream.requests().size());
        }
    }

    /** Every fetch names the service and its version, and offers the encodings it can decode. */
    @Test
    void theServiceNamesItselfAndTheEncodingsItReads() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.ok(MODERNA))) {
            refreshesWith(upstream);
            String head = upstream.requests().get(0);
            Map<String, String> headers = RawUpstream.headers(head);
            assertEquals("state-doses/" + BuildInfo.version() + " (Java " + Runtime.version().feature() + ")",
                headers.get("user-agent"), head);
            assertTrue(BuildInfo.version().matches("\\d+\\.\\d+\\.\\d+.*"), BuildInfo.version());
            assertEquals("gzip, deflate", headers.get("accept-encoding"), head);
        }
    }
}
