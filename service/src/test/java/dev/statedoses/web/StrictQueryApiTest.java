package dev.statedoses.web;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RawHttp;
import dev.statedoses.text.Printable;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every endpoint of the data API reads its query string strictly (web/StrictQuery), through the
 * real service on the fixture product: for every endpoint and every parameter it takes, generated
 * malformed percent-escapes, repeats and parameters it does not take are each a 400 problem that
 * names the parameter; and well-formed queries, escapes included, answer what they always did.
 * Before StrictQuery each of the refused requests answered 200 with the wrong data (a malformed
 * value was dropped, a repeat read by its first value, an unknown parameter ignored).
 */
class StrictQueryApiTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** An endpoint of the data API, a path of it to ask, and the query parameters it takes. */
    private record Endpoint(String method, String path, List<String> takes) {
        String label() {
            return method + " " + path;
        }
    }

    /**
     * Every route of the data API (App's routes block), with a path that answers 200 without a query:
     * the reads by GET, then by HEAD, then the refresh.
     */
    private static final List<Endpoint> ENDPOINTS = Stream.of(reads("GET"), reads("HEAD"),
        Stream.of(new Endpoint("POST", "/refresh", List.of("force")))).flatMap(s -> s).toList();

    /** The reading routes, by {@code method} (GET, or HEAD: GET's answer without a body). */
    private static Stream<Endpoint> reads(String method) {
        return Stream.of(
            new Endpoint(method, "/ratios", List.of("as_of", "sort", "order", "format")),
            new Endpoint(method, "/ratios/NY", List.of("as_of", "format")),
            new Endpoint(method, "/ratios/NY/weekly", List.of("format")),
            new Endpoint(method, "/ratios/weekly", List.of("state", "from", "to", "format")),
            new Endpoint(method, "/refreshes", List.of("limit")),
            new Endpoint(method, "/refreshes/1", List.of()));
    }

    /** A value each parameter takes. */
    private static final Map<String, String> GOOD = Map.of("as_of", "2021-01-04", "sort", "population",
        "order", "desc", "format", "json", "state", "NY", "from", "2020-12-28", "to", "2021-01-04", "limit", "1",
        "force", "false");

    /** The problem a repeat of each single-valued parameter answers: its own, as for a wrong value. */
    private static final Map<String, String> REPEAT_TYPE = Map.of("as_of", "invalid-as-of", "sort", "invalid-sort",
        "order", "invalid-order", "format", "invalid-format", "from", "invalid-week-range",
        "to", "invalid-week-range", "limit", "invalid-limit", "force", "invalid-force");

    /** How each route is named in a detail. */
    private static final Map<String, String> ROUTES = Map.of("/ratios", "/ratios", "/ratios/NY", "/ratios/{state}",
        "/ratios/NY/weekly", "/ratios/{state}/weekly", "/ratios/weekly", "/ratios/weekly",
        "/refreshes", "/refreshes", "/refreshes/1", "/refreshes/{id}", "/refresh", "/refresh");

    @Test
    void aMalformedEscapeInAnyParameterOfAnyEndpointIsABadRequestNamingIt() throws IOException {
        List<String> escapes = StrictQueryTest.malformedEscapes();
        List<String> always = List.of("%", "%X", "%GZ", "%C3", "%C0%AF");
        List<String> failures = new ArrayList<>();
        int sent = 0;
        int turn = 0;
        long runsBefore = runs();
        for (Endpoint endpoint : ENDPOINTS) {
            // A parameter the endpoint does not take, malformed too: the encoding is read first.
            List<String> names = new ArrayList<>(endpoint.takes());
            if (names.isEmpty()) {
                names.add("limit");
            }
            for (String name : names) {
                // Every parameter gets the usual suspects and, but for HEAD (GET's answer without a
                // body), a fifth of the generated escapes in turn: each escape reaches some
                // parameter, and the class stays quick (a raw request takes about 35 ms).
                List<String> bad = new ArrayList<>(always);
                if (!endpoint.method().equals("HEAD")) {
                    for (int i = turn++ % 5; i < escapes.size(); i += 5) {
                        bad.add(escapes.get(i));
                    }
                }
                for (int i = 0; i < bad.size(); i++) {
                    String value = switch (i % 3) {
                        case 0 -> GOOD.getOrDefault(name, "1") + bad.get(i);
                        // Not straight before a hex digit, which could complete the escape ("%" + "20…").
                        case 1 -> bad.get(i) + "x" + GOOD.getOrDefault(name, "1");
                        default -> bad.get(i);
                    };
                    // The other parameters well-formed around it, so the detail must name the right one.
                    String query = others(endpoint, name) + name + "=" + value;
                    sent++;
                    check(failures, endpoint, query, "/problems/http-400", "Bad Request",
                        "the value of " + name + ", '");
                }
                sent++;
                check(failures, endpoint, name + "%=" + GOOD.getOrDefault(name, "1"), "/problems/http-400",
                    "Bad Request", "the parameter name '" + name + "%'");
            }
        }
        // The review's four requests, as they were sent.
        check(failures, ENDPOINTS.get(0), "as_of=2021-01-31%", "/problems/http-400", "Bad Request", "the value of as_of");
        check(failures, ENDPOINTS.get(3), "state=N%Y", "/problems/http-400", "Bad Request", "the value of state");
        check(failures, ENDPOINTS.get(0), "sort=people_per_dose&order=desc%", "/problems/http-400", "Bad Request",
            "the value of order");
        check(failures, ENDPOINTS.get(12), "force=true%", "/problems/http-400", "Bad Request", "the value of force");
        assertTrue(failures.isEmpty(), sent + " requests, " + failures.size() + " wrong answers:\n"
            + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        assertEquals(runsBefore, runs(), "a refresh with a malformed query must not run");
    }

    @Test
    void aSingleValuedParameterGivenTwiceIsABadRequestOfThatParameter() {
        long runsBefore = runs();
        int checked = 0;
        for (Endpoint endpoint : ENDPOINTS) {
            for (String name : endpoint.takes()) {
                if (name.equals("state")) {
                    continue; // repeatable: see wellFormedQueriesAnswerWhatTheyAlwaysDid
                }
                String good = GOOD.get(name);
                for (List<String> values : List.of(List.of(good, good), List.of(good, "x"), List.of("", good, good))) {
                    Response answer = request(endpoint, given().queryParam(name, values.toArray()));
                    String where = endpoint.label() + " " + name + "=" + values;
                    assertEquals(400, answer.statusCode(), where);
                    assertTrue(answer.contentType().startsWith("application/problem+json"), where);
                    checked++;
                    if (!endpoint.method().equals("HEAD")) {
                        JsonPath problem = answer.jsonPath();
                        assertEquals("/problems/" + REPEAT_TYPE.get(name), problem.getString("type"), where);
                        assertEquals(name + " is given " + values.size() + " times: give it once, ",
                            problem.getString("detail").substring(0, (name + " is given " + values.size()
                                + " times: give it once, ").length()), where);
                    }
                }
            }
        }
        assertEquals(3 * ENDPOINTS.stream().mapToLong(e -> e.takes().stream().filter(n -> !n.equals("state")).count())
            .sum(), checked);
        // The review's three, each answered by its first value before.
        given().urlEncodingEnabled(false).get("/ratios?sort=population&sort=people_per_dose").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-sort"))
            .body("detail", equalTo("sort is given 2 times: give it once, as one of state, state_code, population, "
                + "doses_moderna, doses_pfizer, doses_total, people_per_dose"));
        given().urlEncodingEnabled(false).get("/ratios?format=csv&format=json").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-format"))
            .body("detail", equalTo("format is given 2 times: give it once, as csv or json"));
        given().urlEncodingEnabled(false).get("/refreshes?limit=1&limit=3").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-limit"))
            .body("detail", equalTo("limit is given 2 times: give it once, as a whole number from 1 to 100"));
        assertEquals(runsBefore, runs(), "a refresh with force twice must not run");
    }

    @Test
    void aParameterTheEndpointDoesNotTakeIsABadRequestListingTheOnesItTakes() {
        Set<String> every = new TreeSet<>(GOOD.keySet());
        Random random = new Random(20261130);
        long runsBefore = runs();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Endpoint endpoint : ENDPOINTS) {
            Set<String> unknown = new LinkedHashSet<>(every);
            unknown.removeAll(endpoint.takes());
            unknown.addAll(List.of("q", "page", "callback", "_", "asof", "as-of", "as_of ", " as_of", "as_of[]",
                "fields", "state_code", "format.", "<script>", "a\nb", "x\u0000", "\u00e5s_of", "as\u200bof",
                "x".repeat(300), "'; drop table dwh.state_doses; --"));
            unknown.removeAll(endpoint.takes());
            Map<String, String> caseOf = new java.util.HashMap<>();
            for (String name : endpoint.takes()) {
                for (String variant : List.of(name.toUpperCase(Locale.ROOT),
                        Character.toUpperCase(name.charAt(0)) + name.substring(1), randomCase(name, random))) {
                    if (!variant.equals(name)) {
                        unknown.add(variant);
                        caseOf.put(variant, name);
                    }
                }
            }
            String takes = endpoint.takes().isEmpty() ? "it takes no query parameters"
                : "it takes " + String.join(", ", endpoint.takes());
            for (String name : unknown) {
                sent++;
                String where = endpoint.label() + " ?" + Printable.shorten(name, 40);
                // Alone, and after the parameters it does take.
                RequestSpecification request = given();
                if (sent % 2 == 0) {
                    for (String taken : endpoint.takes()) {
                        request = request.queryParam(taken, GOOD.get(taken));
                    }
                }
                Response answer = request(endpoint, request.queryParam(name, "2021-01-04"));
                if (answer.statusCode() != 400) {
                    failures.add(where + ": HTTP " + answer.statusCode());
                    continue;
                }
                if (endpoint.method().equals("HEAD")) {
                    continue;
                }
                String type = answer.jsonPath().getString("type");
                String detail = answer.jsonPath().getString("detail");
                String expected = endpoint.method() + " " + ROUTES.get(endpoint.path()) + " does not take the parameter '"
                    + Printable.shorten(name, 40) + "'"
                    + (caseOf.containsKey(name) ? " (names are case-sensitive: did you mean " + caseOf.get(name) + "?)" : "")
                    + "; " + takes;
                if (!"/problems/unknown-parameter".equals(type) || !expected.equals(detail)) {
                    failures.add(where + ": " + type + " " + detail + "\n   expected " + expected);
                }
            }
        }
        assertTrue(failures.isEmpty(), sent + " requests, " + failures.size() + " wrong answers:\n"
            + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        // The review's three, each answered as if the parameter had not been sent.
        given().get("/ratios/weekly?as_of=2021-01-01").then()
            .statusCode(400).contentType("application/problem+json")
            .body("type", equalTo("/problems/unknown-parameter")).body("title", equalTo("Unknown parameter"))
            .body("detail", equalTo("GET /ratios/weekly does not take the parameter 'as_of'; "
                + "it takes state, from, to, format"));
        given().get("/ratios/NY/weekly?from=2021-06-21").then()
            .statusCode(400).body("type", equalTo("/problems/unknown-parameter"))
            .body("detail", equalTo("GET /ratios/{state}/weekly does not take the parameter 'from'; it takes format"));
        given().get("/ratios?AS_OF=2021-01-31").then()
            .statusCode(400).body("type", equalTo("/problems/unknown-parameter"))
            .body("detail", equalTo("GET /ratios does not take the parameter 'AS_OF' (names are case-sensitive: "
                + "did you mean as_of?); it takes as_of, sort, order, format"));
        assertEquals(runsBefore, runs(), "a refresh with an unknown parameter must not run");
    }

    @Test
    void wellFormedQueriesAnswerWhatTheyAlwaysDid() throws IOException {
        // state: repeated, comma-separated, percent-encoded, '+' for a space; each the same answer.
        String twoStates = given().config(DECIMALS).get("/ratios/weekly?state=NY&state=VT").then()
            .statusCode(200).contentType("application/json")
            .body("state_code", contains("NY", "NY", "VT", "VT"))
            .body("week", contains("2020-12-28", "2021-01-04", "2020-12-28", "2021-01-04"))
            .body("doses_moderna", contains(700, 2800, 0, 600))
            .body("doses_total", contains(700, 7500, 0, 700))
            .extract().asString();
        for (String query : List.of("state=New%20York&state=VT", "state=New+York,vt", "state=%4E%59&state=%76t",
                "state=new%20york%2Cvermont", "state=NY&state=VT&state=NY")) {
            assertEquals(twoStates, given().urlEncodingEnabled(false).get("/ratios/weekly?" + query).then()
                .statusCode(200).extract().asString(), query);
        }
        // Empty pieces are no parameters (sent as written: rest-assured refuses them).
        RawHttp.Answer pieces = RawHttp.to(loaded.app()).get("/ratios/weekly?&state=NY&&state=VT&");
        assertEquals(200, pieces.status());
        assertEquals(twoStates, body(pieces));
        // as_of with its hyphens escaped is the same date.
        String asOf = given().get("/ratios?as_of=2021-01-03").then().statusCode(200)
            .body("$", hasSize(51)).body("doses_total.sum()", equalTo(700))
            .body("findAll { it.doses_total > 0 }.state_code", contains("NY"))
            .extract().asString();
        assertEquals(asOf, given().urlEncodingEnabled(false).get("/ratios?as_of=2021%2D01%2d03").then()
            .statusCode(200).extract().asString());
        given().urlEncodingEnabled(false).get("/ratios/New%20York?as_of=2020%2D12%2D31").then()
            .statusCode(200).body("state_code", equalTo("NY")).body("doses_total", equalTo(700));
        // sort and order, escaped.
        assertEquals(List.of("VT", "IL", "NY", "AL", "AK"), given().urlEncodingEnabled(false)
            .get("/ratios?sort=people%5Fper%5Fdose&order=%64esc").jsonPath().getList("state_code", String.class)
            .subList(0, 5));
        // format, escaped and in any case.
        String csv = given().urlEncodingEnabled(false).get("/ratios/New%20York?format=%63sv").then()
            .statusCode(200).contentType("text/csv; charset=utf-8").extract().asString();
        assertTrue(csv.split("\r\n")[1].startsWith("New York,NY,6000,3500,4000,7500,0.8000,"), csv);
        assertEquals("week,doses_moderna,doses_pfizer,doses_total,people_per_dose\r\n"
                + "2020-12-28,700,0,700,8.5714\r\n2021-01-04,2800,4000,7500,0.8000\r\n",
            given().get("/ratios/ny/weekly?format=CSV").then().statusCode(200).extract().asString());
        // from and to, escaped.
        given().urlEncodingEnabled(false).get("/ratios/weekly?from=2021%2D01%2D04&to=2021-01-04&state=vt").then()
            .statusCode(200).body("week", contains("2021-01-04")).body("doses_total", contains(700));
        // limit, escaped; an empty query or empty pieces are no parameters.
        given().urlEncodingEnabled(false).get("/refreshes?limit=%31").then().statusCode(200).body("$", hasSize(1));
        String all = given().get("/ratios").then().statusCode(200).body("$", hasSize(51)).extract().asString();
        RawHttp.Answer emptyQuery = RawHttp.to(loaded.app()).get("/ratios?&&");
        assertEquals(200, emptyQuery.status());
        assertEquals(all, body(emptyQuery));
        // HEAD answers as GET.
        given().urlEncodingEnabled(false).head("/ratios?as_of=2021%2D01%2D03&sort=state").then()
            .statusCode(200).contentType("application/json");
        // force, escaped: a forced refresh fetches every source whole; without it nothing changed.
        given().urlEncodingEnabled(false).post("/refresh?force=%74rue").then()
            .statusCode(200).body("status", equalTo("succeeded"))
            .body("sources.unchanged", contains(false, false, false));
        given().urlEncodingEnabled(false).post("/refresh?force=false").then()
            .statusCode(200).body("status", equalTo("unchanged"));
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static RequestSpecification given() {
        return loaded.given();
    }

    private static Response request(Endpoint endpoint, RequestSpecification request) {
        return switch (endpoint.method()) {
            case "GET" -> request.get(endpoint.path());
            case "HEAD" -> request.head(endpoint.path());
            default -> request.post(endpoint.path());
        };
    }

    /** Well-formed values of the endpoint's other parameters, each followed by '&'. */
    private static String others(Endpoint endpoint, String but) {
        return endpoint.takes().stream().filter(name -> !name.equals(but))
            .map(name -> name + "=" + GOOD.get(name) + "&").collect(Collectors.joining());
    }

    /** Sends {@code endpoint?query} as written (no client would send a malformed escape) and checks the problem. */
    private static void check(List<String> failures, Endpoint endpoint, String query, String type, String title,
                              String detailStart) throws IOException {
        RawHttp.Answer answer = RawHttp.to(loaded.app())
            .send(endpoint.method() + " " + endpoint.path() + "?" + query + " HTTP/1.1");
        String where = endpoint.label() + "?" + query + " -> HTTP " + answer.status();
        if (answer.status() != 400) {
            failures.add(where + ": expected 400 " + type);
            return;
        }
        if (!String.valueOf(answer.header("Content-Type")).startsWith("application/problem+json")
                || !"nosniff".equals(answer.header("X-Content-Type-Options"))) {
            failures.add(where + ": Content-Type " + answer.header("Content-Type"));
        }
        if (endpoint.method().equals("HEAD")) {
            if (!answer.body().isEmpty()) {
                failures.add(where + ": a body to HEAD");
            }
            return;
        }
        JsonPath problem = JsonPath.from(body(answer));
        if (!type.equals(problem.getString("type")) || !title.equals(problem.getString("title"))
                || problem.getInt("status") != 400 || !problem.getString("detail").startsWith(detailStart)
                || !problem.getString("detail").contains("is not percent-encoded correctly")) {
            failures.add(where + ": " + body(answer) + "\n   expected " + type + ", detail starting " + detailStart);
        }
    }

    /** The body as sent: de-chunked when it came in chunks. */
    private static String body(RawHttp.Answer answer) {
        if (!"chunked".equalsIgnoreCase(answer.header("Transfer-Encoding"))) {
            return answer.body();
        }
        StringBuilder out = new StringBuilder();
        String rest = answer.body();
        while (true) {
            int lineEnd = rest.indexOf("\r\n");
            int size = Integer.parseInt(rest.substring(0, lineEnd).strip(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(rest, lineEnd + 2, lineEnd + 2 + size); // the problems are ASCII: bytes are chars
            rest = rest.substring(lineEnd + 2 + size + 2);
        }
    }

    private static long runs() {
        return given().queryParam("limit", 100).get("/refreshes").then().statusCode(200)
            .extract().jsonPath().getList("$").size();
    }

    private static String randomCase(String name, Random random) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }
}
