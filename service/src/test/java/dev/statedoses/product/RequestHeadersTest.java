package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RawHttp.Answer;
import dev.statedoses.web.Problem;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request headers read as RFC 9110 says, over a raw socket so that every header line goes as
 * written: a list-valued header split over several lines means what its lines joined in order
 * mean (5.3); If-Modified-Since in any of the three forms of an HTTP date (5.6.7); a 304 carries
 * the headers its 200 would, with no Content-Length of its own (15.4.5); HEAD the headers of GET.
 * Both ways of answering are asked: the snapshot's fast path ({@code /ratios}, {@code /ratios/NY})
 * and the routes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestHeadersTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** The reads a client revalidates: fast path, routes, CSV, a past product, static files. */
    private static final List<String> READS = List.of("/ratios", "/ratios/NY", "/ratios?format=csv",
        "/ratios/NY?as_of=2021-01-31", "/ratios/NY/weekly", "/ratios/weekly", "/ratios/weekly?state=VT&format=csv",
        "/", "/dashboard/dashboard.js");

    private static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final DateTimeFormatter RFC_850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private RawHttp raw;

    @BeforeAll
    void connect() {
        raw = RawHttp.to(loaded.app());
    }

    // ---- lists over several lines --------------------------------------------------------------

    /**
     * Generated: every choice of two and of three media ranges from a pool, in every order, split
     * over lines in every way. Each answer is the one-line header's, which is what
     * AcceptHeader makes of the whole list: on the fast path and on a route.
     */
    @Test
    void acceptOverSeveralLinesIsOneList() throws IOException {
        List<String> pool = List.of("text/html", "text/csv", "application/json;q=0.5", "text/csv;q=0", "*/*;q=0.1");
        int compared = 0;
        for (List<String> elements : choices(pool, 3)) {
            if (elements.size() < 2) {
                continue;
            }
            for (List<String> ordered : permutations(elements)) {
                String oneLine = String.join(", ", ordered);
                String expected = AcceptHeader.prefersCsv(oneLine) ? ProductResponse.CSV : "application/json";
                for (String path : List.of("/ratios/NY", "/ratios/NY/weekly")) {
                    Answer single = get(path, List.of("Accept: " + oneLine));
                    assertEquals(expected, single.header("Content-Type"), path + " Accept: " + oneLine);
                    for (List<String> lines : splits(ordered)) {
                        Answer split = get(path, lines.stream().map(line -> "Accept: " + line).toList());
                        assertEquals(200, split.status());
                        assertEquals(expected, split.header("Content-Type"), path + " " + lines);
                        assertEquals(single.header("ETag"), split.header("ETag"), path + " " + lines);
                        compared++;
                    }
                }
            }
        }
        assertEquals(2 * (10 * 2 * 2 + 10 * 6 * 4), compared);
        // The review's case: the first line alone would say JSON.
        assertEquals(ProductResponse.CSV, get("/ratios/NY", List.of("Accept: text/html", "Accept: text/csv"))
            .header("Content-Type"));
    }

    /**
     * A range with parameters is more specific than the same range without, and one naming a CSV
     * this service does not send (another charset, a level) gives ours no weight: the same
     * answer in every order, on the fast path and on a route.
     */
    @Test
    void rangesWithParametersAreWeighedByWhatIsSent() throws IOException {
        Map<List<String>, String> cases = Map.of(
            List.of("text/csv;charset=utf-8;q=0.1", "text/csv;q=0.9", "application/json;q=0.5"), "application/json",
            List.of("text/csv;level=1", "application/json;q=0.5"), "application/json",
            List.of("text/csv;charset=latin1", "application/json;q=0.9"), "application/json",
            List.of("text/csv;q=1", "text/csv;q=0"), "application/json",
            List.of("application/json;charset=utf-8;q=0.4", "text/csv;charset=\"UTF-8\";q=0.5"), ProductResponse.CSV);
        for (Map.Entry<List<String>, String> accept : cases.entrySet()) {
            for (List<String> ordered : permutations(accept.getKey())) {
                for (String path : List.of("/ratios/NY", "/ratios/NY/weekly")) {
                    Answer answer = get(path, List.of("Accept: " + String.join(", ", ordered)));
                    assertEquals(200, answer.status(), path + " " + ordered);
                    assertEquals(accept.getValue(), answer.header("Content-Type"), path + " Accept: " + ordered);
                }
            }
        }
    }

    /**
     * Generated: every choice of one to three entity tags from a pool holding the current one
     * (strong and weak) and two others, in every order, split over lines in every way: 304 exactly
     * when one of them, on any line, is the current one; on every kind of read.
     */
    @Test
    void ifNoneMatchOverSeveralLinesIsOneList() throws IOException {
        for (String path : List.of("/ratios/NY", "/ratios/weekly", "/ratios/VT/weekly", "/dashboard/dashboard.js")) {
            String etag = get(path, List.of()).header("ETag");
            List<String> pool = List.of("\"x\"", etag, "W/\"y\"", "W/" + etag);
            for (List<String> elements : choices(pool, 3)) {
                boolean matches = elements.contains(etag) || elements.contains("W/" + etag);
                for (List<String> ordered : permutations(elements)) {
                    for (List<String> lines : splits(ordered)) {
                        Answer answer = get(path, lines.stream().map(line -> "If-None-Match: " + line).toList());
                        assertEquals(matches ? 304 : 200, answer.status(), path + " " + lines);
                    }
                }
            }
        }
    }

    /** Prefer (RFC 7240) is a list too: respond-async on its second line starts the refresh apart. */
    @Test
    void preferOverSeveralLinesIsOneList() throws IOException, InterruptedException {
        Answer answer = raw.send("POST", "/refresh", List.of("Prefer: wait=100", "Prefer: respond-async",
            "Content-Length: 0"));
        assertEquals(202, answer.status(), answer.statusLine());
        assertEquals("respond-async", answer.header("Preference-Applied"));
        String run = answer.header("Location");
        assertTrue(run.startsWith("/refreshes/"), run);
        for (int i = 0; i < 300 && "running".equals(loaded.given().get(run).jsonPath().getString("status")); i++) {
            Thread.sleep(100); // the other tests compare answers of one product: let this run end first
        }
        assertNotEquals("running", loaded.given().get(run).jsonPath().getString("status"));
    }

    /** A preflight's Access-Control-Request-Headers over two lines: both headers allowed. */
    @Test
    void preflightHeadersOverSeveralLinesAreOneList() throws IOException {
        Answer answer = raw.send("OPTIONS", "/ratios", List.of("Origin: https://grafana.example.org",
            "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: If-None-Match",
            "Access-Control-Request-Headers: X-Requested-With"));
        assertEquals(204, answer.status());
        assertEquals("if-none-match, x-requested-with", answer.header("Access-Control-Allow-Headers"));
    }

    // ---- dates ---------------------------------------------------------------------------------

    /**
     * If-Modified-Since at the product's Last-Modified, and a second and a day either side, in each
     * of the three forms: 304 exactly from that instant on, whichever form.
     */
    @Test
    void ifModifiedSinceInEveryFormOfAnHttpDate() throws IOException {
        for (String path : List.of("/ratios", "/ratios/NY", "/ratios?format=csv", "/ratios/NY/weekly", "/ratios/weekly")) {
            Answer ok = get(path, List.of());
            Instant lastModified = ZonedDateTime.parse(ok.header("Last-Modified"), IMF.withZone(ZoneOffset.UTC))
                .toInstant();
            for (long offset : new long[] {-86_400, -1, 0, 1, 86_400}) {
                ZonedDateTime since = lastModified.plusSeconds(offset).atZone(ZoneOffset.UTC);
                for (DateTimeFormatter form : List.of(IMF, RFC_850, ASCTIME)) {
                    String written = form.format(since);
                    Answer answer = get(path, List.of("If-Modified-Since: " + written));
                    assertEquals(offset >= 0 ? 304 : 200, answer.status(), path + " If-Modified-Since: " + written);
                }
            }
            // An hour after: RFC 850's two-digit year is read as this century's.
            assertEquals(304, get(path, List.of("If-Modified-Since: " + RFC_850.format(
                lastModified.plusSeconds(3_600).atZone(ZoneOffset.UTC)))).status(), path);
            // Two lines of a field that holds one date are not one date: ignored (RFC 9110, 13.1.3).
            String date = IMF.format(lastModified.atZone(ZoneOffset.UTC));
            assertEquals(200, get(path, List.of("If-Modified-Since: " + date, "If-Modified-Since: " + date)).status());
        }
    }

    // ---- 304 and HEAD: the 200's headers -------------------------------------------------------

    /**
     * A 304 has every header line of its 200, in order, but the body's length: no Content-Length
     * (and no Transfer-Encoding) at all. HEAD has GET's header lines exactly, and HEAD's 304 GET's.
     */
    @Test
    void aNotModifiedAndAHeadCarryTheHeadersOfTheGet() throws IOException {
        for (String origin : new String[] {null, "https://grafana.example.org"}) {
            List<String> asked = origin == null ? List.of() : List.of("Origin: " + origin);
            for (String path : READS) {
                Answer ok = raw.send("GET", path, asked);
                assertEquals(200, ok.status(), path);
                String etag = ok.header("ETag");
                List<String> conditional = Stream.concat(asked.stream(), Stream.of("If-None-Match: " + etag)).toList();
                Answer notModified = raw.send("GET", path, conditional);
                assertEquals(304, notModified.status(), path);
                assertNull(notModified.header("Content-Length"), path + ": " + notModified.headerLines());
                assertNull(notModified.header("Transfer-Encoding"), path);
                assertEquals("", notModified.body(), path);
                assertEquals(withoutBodyLength(ok), withoutDate(notModified), path + " (Origin " + origin + ")");
                for (String name : List.of("ETag", "Cache-Control", "Vary", "Last-Modified", "Content-Type")) {
                    assertEquals(ok.header(name), notModified.header(name), path + " " + name);
                }

                Answer head = raw.send("HEAD", path, asked);
                assertEquals(200, head.status(), path);
                assertEquals(withoutDate(ok), withoutDate(head), "HEAD " + path);
                assertEquals("", head.body(), path);
                Answer headNotModified = raw.send("HEAD", path, conditional);
                assertEquals(304, headNotModified.status(), path);
                assertEquals(withoutDate(notModified), withoutDate(headNotModified), "HEAD " + path);
            }
        }
        // If-Modified-Since's 304 is the same answer as If-None-Match's.
        Answer ok = get("/ratios/NY", List.of());
        Answer byDate = get("/ratios/NY", List.of("If-Modified-Since: " + ok.header("Last-Modified")));
        assertEquals(304, byDate.status());
        assertEquals(withoutBodyLength(ok), withoutDate(byDate));
    }

    // ---- answers without content, and problems -------------------------------------------------

    /** An OPTIONS answer has no content, and says no Content-Type (nor Content-Length) for it. */
    @Test
    void aNoContentAnswerHasNoContentType() throws IOException {
        for (List<String> lines : List.of(List.<String>of(), List.of("Origin: https://grafana.example.org",
                "Access-Control-Request-Method: GET"))) {
            for (String path : List.of("/ratios", "/ratios/NY", "/ratios/weekly", "/refreshes", "/health")) {
                Answer answer = raw.send("OPTIONS", path, lines);
                assertEquals(204, answer.status(), path);
                assertNull(answer.header("Content-Type"), path + ": " + answer.headerLines());
                assertNull(answer.header("Content-Length"), path);
                assertEquals("GET, HEAD, OPTIONS", answer.header("Allow"));
            }
        }
    }

    /** What Jetty refuses before the routes is a problem of the very Content-Type the routes send. */
    @Test
    void jettysProblemsAndTheRoutesHaveOneContentType() throws IOException {
        Answer route = get("/ratios?format=xml", List.of());
        assertEquals(400, route.status());
        Answer jetty = get("/no%0Asuch%00path", List.of());
        assertEquals(400, jetty.status());
        Answer tooLarge = get("/ratios", List.of("X-Large: " + "x".repeat(20_000)));
        assertEquals(431, tooLarge.status());
        assertEquals(Problem.CONTENT_TYPE, route.header("Content-Type"));
        assertEquals(Problem.CONTENT_TYPE, jetty.header("Content-Type"));
        assertEquals(Problem.CONTENT_TYPE, tooLarge.header("Content-Type"));
        assertTrue(jetty.body().contains("\"type\":\"/problems/http-400\""), jetty.body());
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Answer get(String path, List<String> lines) throws IOException {
        return raw.send("GET", path, lines);
    }

    private static List<String> withoutDate(Answer answer) {
        return answer.headerLines().stream().filter(line -> !line.toLowerCase(Locale.ROOT).startsWith("date:")).toList();
    }

    /** The 200's lines but Date and those about its body's length. */
    private static List<String> withoutBodyLength(Answer answer) {
        return withoutDate(answer).stream().filter(line -> {
            String lower = line.toLowerCase(Locale.ROOT);
            return !lower.startsWith("content-length:") && !lower.startsWith("transfer-encoding:");
        }).toList();
    }

    /** Every choice of 1 to {@code most} elements of {@code pool}, each in the pool's order. */
    static List<List<String>> choices(List<String> pool, int most) {
        List<List<String>> out = new ArrayList<>();
        for (int mask = 1; mask < 1 << pool.size(); mask++) {
            if (Integer.bitCount(mask) <= most) {
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < pool.size(); i++) {
                    if ((mask & 1 << i) != 0) {
                        chosen.add(pool.get(i));
                    }
                }
                out.add(chosen);
            }
        }
        return out;
    }

    static List<List<String>> permutations(List<String> elements) {
        if (elements.size() <= 1) {
            return List.of(elements);
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            List<String> rest = new ArrayList<>(elements);
            String first = rest.remove(i);
            for (List<String> tail : permutations(rest)) {
                List<String> one = new ArrayList<>();
                one.add(first);
                one.addAll(tail);
                out.add(one);
            }
        }
        return out;
    }

    /** Every way of cutting {@code ordered} into consecutive lines, each line its elements joined. */
    static List<List<String>> splits(List<String> ordered) {
        List<List<String>> out = new ArrayList<>();
        for (int cuts = 0; cuts < 1 << (ordered.size() - 1); cuts++) {
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder(ordered.get(0));
            for (int i = 1; i < ordered.size(); i++) {
                if ((cuts & 1 << (i - 1)) != 0) {
                    lines.add(line.toString());
                    line = new StringBuilder(ordered.get(i));
                } else {
                    line.append(", ").append(ordered.get(i));
                }
            }
            lines.add(line.toString());
            out.add(lines);
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
