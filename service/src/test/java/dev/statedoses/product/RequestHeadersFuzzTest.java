package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.HttpDate;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reading routes under generated request headers, well formed and not: the ones they read
 * (Accept, If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since) and others a client
 * may send. Whatever the headers, the answer is a 200 with exactly the bytes of the format chosen,
 * or a 304 without a body, or a 412 problem; a 304 only when a validator could have matched, and
 * a 412 exactly when If-Match, or without it If-Unmodified-Since, does not name the answer that
 * the same request without them gets (RFC 9110, 13.2.2). An Accept of separators only (";;;") was a 500 on
 * every ratios route, which headers made of the parser's own pieces would have found.
 *
 * <p>Seeded; the seed is in every failure message. Re-run one with {@code -Dfuzz.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestHeadersFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final int REQUESTS = 1200;
    /**
     * The requests stop early, after at least {@link #MIN_REQUESTS}, when this is spent, so the
     * class stays near 20 s on a busy two-core machine. The requests sent are always the start of
     * the seed's sequence, so a seed reproduces.
     */
    private static final Duration BUDGET = Duration.ofSeconds(10);
    private static final int MIN_REQUESTS = 200;
    private static final List<String> ROUTES = List.of("/ratios", "/ratios/weekly", "/ratios/vt", "/ratios/VT/weekly");

    private static final String[] OTHER_VALUES = {"", " ", ",", ";", ";;;", "\"", "*", "W/", "W/\"\"", "\"\"",
        "garbage", "Wed, 21 Oct 2015 07:28:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "31 Dec 2099", "-1", "0", "é", "x".repeat(2000)};
    private static final String[] OTHER_HEADERS = {"Accept-Encoding", "Accept-Language", "Accept-Charset", "Range",
        "If-Unmodified-Since", "If-Range", "Cache-Control", "Prefer", "Origin", "Cookie", "Authorization"};

    private FixtureServer upstream;
    private RunningApp app;
    /** Per route: the JSON and the CSV answer, with their ETags and the Last-Modified they share. */
    private final Map<String, Answer> json = new HashMap<>();
    private final Map<String, Answer> csv = new HashMap<>();

    private record Answer(String body, String etag, String lastModified) {
    }

    @BeforeAll
    void refreshOnce() {
        upstream = FixtureServer.start();
        app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
        app.given().post("/refresh").then().statusCode(200);
        for (String route : ROUTES) {
            json.put(route, answer(app.given().header("Accept", "application/json").get(route), "application/json"));
            csv.put(route, answer(app.given().header("Accept", "text/csv").get(route), "text/csv; charset=utf-8"));
        }
        // The fixture's Vermont, so that the answers compared are the product's.
        String vermont = json.get("/ratios/vt").body();
        assertTrue(vermont.contains("\"people_per_dose\":1.7629"), vermont);
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    private static Answer answer(Response response, String contentType) {
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals(contentType, response.contentType());
        return new Answer(response.asString(), response.header("ETag"), response.header("Last-Modified"));
    }

    @Test
    void anyHeadersGiveTheFormatsBytesOrNotModified() {
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        int sent = 0;
        for (; sent < REQUESTS && failures.size() < 10; sent++) {
            if (sent >= MIN_REQUESTS && System.nanoTime() > deadline) {
                break;
            }
            String route = ROUTES.get(random.nextInt(ROUTES.size()));
            Map<String, String> headers = headers(random, route);
            RequestSpecification request = app.given().urlEncodingEnabled(false);
            headers.forEach(request::header);
            Response response = request.get(route);
            String seen = check(route, headers, response);
            if (seen != null) {
                failures.add(seen + " for GET " + route + " with " + headers);
            }
        }
        assertTrue(failures.isEmpty(), "seed " + SEED + ", " + sent + " requests:\n" + String.join("\n", failures));
    }

    /** What is wrong with the answer, or null. */
    private String check(String route, Map<String, String> headers, Response response) {
        int status = response.statusCode();
        if (status == 412) {
            if (!"/problems/precondition-failed".equals(response.jsonPath().getString("type"))) {
                return "a 412 of another type: " + response.asString();
            }
            // Which answer the conditions were held against: the same request without them.
            Map<String, String> unconditional = new HashMap<>(headers);
            unconditional.remove("If-Match");
            unconditional.remove("If-Unmodified-Since");
            RequestSpecification request = app.given().urlEncodingEnabled(false);
            unconditional.forEach(request::header);
            Response plain = request.get(route);
            if (plain.statusCode() == 412) {
                return "a 412 without If-Match or If-Unmodified-Since";
            }
            Answer served = plain.contentType().startsWith("text/csv") ? csv.get(route) : json.get(route);
            return holds(headers, served) ? "a 412 though the conditions name the answer" : null;
        }
        Answer selected = response.contentType().startsWith("text/csv") ? csv.get(route) : json.get(route);
        if (!holds(headers, selected)) {
            return "status " + status + " though If-Match or If-Unmodified-Since names another answer";
        }
        if (status == 304) {
            if (!response.asString().isEmpty()) {
                return "a 304 with a body";
            }
            boolean validator = headers.containsKey("If-None-Match") || headers.containsKey("If-Modified-Since");
            return validator ? null : "a 304 without a validator to match";
        }
        if (status != 200) {
            return "status " + status + ": " + response.asString();
        }
        Answer expected = response.contentType().startsWith("text/csv") ? csv.get(route) : json.get(route);
        if (!response.contentType().equals(response.contentType().startsWith("text/csv")
                ? "text/csv; charset=utf-8" : "application/json")) {
            return "content type " + response.contentType();
        }
        return expected.body().equals(response.asString()) ? null : "another body: " + response.asString();
    }

    /**
     * Whether If-Match (strongly), or without it If-Unmodified-Since, names {@code answer}: the
     * RFC's reading, written out apart from the service's. A date that is not an HTTP-date is no
     * condition; the fixture's product is the only one, so its second names it alone.
     */
    private static boolean holds(Map<String, String> headers, Answer answer) {
        String ifMatch = headers.get("If-Match");
        if (ifMatch != null) {
            // "*" or a list of tags (RFC 9110, 13.1.1): "*" names any answer only as the whole
            // value; empty list members do not count.
            List<String> members = Arrays.stream(ifMatch.split(",")).map(String::strip).filter(tag -> !tag.isEmpty())
                .toList();
            return members.equals(List.of("*")) || members.contains(answer.etag());
        }
        String since = headers.get("If-Unmodified-Since");
        Instant lastModified = HttpDate.parse(answer.lastModified()).orElseThrow();
        return since == null || HttpDate.parse(since).map(date -> !lastModified.isAfter(date)).orElse(true);
    }

    /** A random set of headers: Accept of generated ranges, validators right and wrong, others. */
    private Map<String, String> headers(Random random, String route) {
        Map<String, String> headers = new HashMap<>();
        if (random.nextInt(4) > 0) {
            List<String> elements = GeneratedAccept.elements(random, 4);
            if (random.nextInt(3) == 0) {
                // An element that names no range at all, which a reader must pass over.
                elements = GeneratedAccept.withNoRange(random, elements, 1);
            }
            headers.put("Accept", GeneratedAccept.header(random, elements));
        }
        if (random.nextInt(3) == 0) {
            Answer known = random.nextBoolean() ? json.get(route) : csv.get(route);
            headers.put("If-None-Match", switch (random.nextInt(5)) {
                case 0 -> known.etag();
                case 1 -> "W/" + known.etag();
                case 2 -> pick(random, OTHER_VALUES) + ", " + known.etag();
                default -> pick(random, OTHER_VALUES);
            });
        }
        if (random.nextInt(3) == 0) {
            String lastModified = json.get(route).lastModified();
            headers.put("If-Modified-Since", lastModified != null && random.nextBoolean() ? lastModified
                : pick(random, OTHER_VALUES));
        }
        if (random.nextInt(4) == 0) {
            Answer known = random.nextBoolean() ? json.get(route) : csv.get(route);
            headers.put("If-Match", switch (random.nextInt(6)) {
                case 0 -> known.etag();
                case 1 -> "W/" + known.etag();
                case 2 -> pick(random, OTHER_VALUES) + ", " + known.etag();
                case 3 -> known.etag().substring(1);
                default -> pick(random, OTHER_VALUES);
            });
        }
        for (int n = random.nextInt(3); n > 0; n--) {
            headers.put(pick(random, OTHER_HEADERS), pick(random, OTHER_VALUES));
        }
        return headers;
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
