package dev.statedoses.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pages of other origins (a Grafana in the browser, a notebook) may read the API: CORS headers on
 * the reads, preflights answered for GET and HEAD. They may never run POST /refresh. The default
 * CORS_ORIGINS is *; a second service on the same warehouse allows one origin only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossOriginTest {

    private static final String GRAFANA = "https://grafana.example.org";
    private static final String OTHER = "https://evil.example.net";

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** CORS_ORIGINS=https://grafana.example.org, on the same warehouse. */
    private RunningApp listed;

    @BeforeAll
    void start() {
        listed = RunningApp.start(ConfigBuilder.from(loaded.config())
            .corsOrigins(GRAFANA + "/, http://localhost:3000").build());
    }

    @AfterAll
    void stop() {
        listed.close();
    }

    // --- simple requests ----------------------------------------------------------------------

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/ratios", "/ratios/NY", "/ratios/weekly", "/ratios/NY/weekly", "/ratios?format=csv",
        "/refreshes", "/refreshes/1", "/health", "/openapi.yaml"})
    void everyReadMayBeReadByAnyOrigin(String path) {
        // /ratios and /ratios/NY come from the snapshot's fast path, the others from the routes: alike.
        loaded.given().header("Origin", GRAFANA).get(path).then()
            .statusCode(200)
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After")
            .header("Access-Control-Allow-Credentials", nullValue());
        // The same answer without an Origin: a cache may hand it to any page.
        loaded.given().get(path).then().header("Access-Control-Allow-Origin", "*");
        loaded.given().header("Origin", GRAFANA).head(path).then()
            .statusCode(200).header("Access-Control-Allow-Origin", "*");
    }

    @Test
    void errorsOfAReadAreReadableTooSoAPageCanSayWhatWentWrong() {
        loaded.given().header("Origin", GRAFANA).get("/ratios/PR").then()
            .statusCode(404).header("Access-Control-Allow-Origin", "*")
            .body("type", equalTo("/problems/unknown-state"));
        loaded.given().header("Origin", GRAFANA).queryParam("from", "soon").get("/ratios/weekly").then()
            .statusCode(400).header("Access-Control-Allow-Origin", "*");
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/metrics", "/", "/docs", "/dashboard/dashboard.js"})
    void pagesAndMetricsAreNotShared(String path) {
        loaded.given().header("Origin", GRAFANA).get(path).then()
            .statusCode(200).header("Access-Control-Allow-Origin", nullValue());
    }

    // --- preflights ---------------------------------------------------------------------------

    @Test
    void aPreflightForAReadIsAnswered() {
        // A page sending If-None-Match (not a CORS-safelisted header) asks first.
        loaded.given().header("Origin", GRAFANA)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "If-None-Match, X-Grafana-Org-Id")
            .options("/ratios/weekly").then()
            .statusCode(204)
            .body(emptyString())
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "GET, HEAD")
            .header("Access-Control-Allow-Headers", "if-none-match, x-grafana-org-id")
            .header("Access-Control-Max-Age", "600")
            .header("Allow", "GET, HEAD, OPTIONS");
        // And then the read itself, with its validator: 304, readable.
        String etag = loaded.given().get("/ratios/weekly").header("ETag");
        loaded.given().header("Origin", GRAFANA).header("If-None-Match", etag).get("/ratios/weekly").then()
            .statusCode(304).header("Access-Control-Allow-Origin", "*").header("ETag", etag);
    }

    /**
     * Generated lists of request headers, with empty elements (RFC 9110 5.6.1: a recipient accepts
     * them) and spaces anywhere: the names alone, in lower case, in order; none, when the list has
     * no name or an element is no field name.
     */
    @Test
    void aPreflightsListOfHeadersIsReadElementByElement() {
        Random random = new Random(20261202);
        List<String> names = List.of("If-None-Match", "X-Grafana-Org-Id", "Accept", "x-requested-with",
            "Cache-Control");
        List<String> spaces = List.of("", "", " ", "  ", "\t");
        for (int i = 0; i < 200; i++) {
            List<String> elements = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int n = random.nextInt(6); n >= 0; n--) {
                String element = random.nextInt(3) == 0 ? "" : names.get(random.nextInt(names.size()));
                if (!element.isEmpty()) {
                    expected.add(element.toLowerCase(Locale.ROOT));
                }
                elements.add(spaces.get(random.nextInt(spaces.size())) + element
                    + spaces.get(random.nextInt(spaces.size())));
            }
            String list = String.join(",", elements);
            assertEquals(expected.isEmpty() ? null : String.join(", ", expected), CrossOrigin.requestedHeaders(list),
                "'" + list + "'");
            assertNull(CrossOrigin.requestedHeaders(list + ",X Y"), "a name with a space");
            assertNull(CrossOrigin.requestedHeaders(list + ",X:Y"), "a name with a colon");
        }
        // Through the server: the empty elements are dropped, the request's headers allowed.
        loaded.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "If-None-Match,,X-Grafana-Org-Id,")
            .options("/ratios").then()
            .statusCode(204)
            .header("Access-Control-Allow-Headers", "if-none-match, x-grafana-org-id");
    }

    @Test
    void anOptionsThatIsNoPreflightSaysWhatThePathTakes() {
        loaded.given().options("/ratios/NY").then()
            .statusCode(204).header("Allow", "GET, HEAD, OPTIONS")
            .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void healthIsSharedAndItsProbesAreNot() {
        // A status page of another origin reads /health, so its preflight is answered there...
        loaded.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "If-None-Match")
            .options("/health").then()
            .statusCode(204).header("Access-Control-Allow-Origin", "*")
            .header("Allow", "GET, HEAD, OPTIONS");
        loaded.given().options("/health").then()
            .statusCode(204).header("Allow", "GET, HEAD, OPTIONS");
        // ...and the probes are for orchestrators on this side: no OPTIONS there.
        loaded.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", "GET")
            .options("/health/ready").then()
            .statusCode(405).header("Allow", "GET, HEAD")
            .header("Access-Control-Allow-Origin", nullValue());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void aPreflightForAnythingButAReadIsRefused(String method) {
        loaded.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", method)
            .options("/ratios").then()
            .statusCode(403).contentType("application/problem+json")
            .header("Access-Control-Allow-Origin", nullValue())
            .body("type", equalTo("/problems/cross-origin-refused"))
            .body("detail", equalTo("'" + method + "' /ratios is not open to pages of other origins: only GET and HEAD are"));
    }

    // --- POST /refresh ------------------------------------------------------------------------

    @Test
    void aPreflightForRefreshIsRefused() {
        // No OPTIONS there: the browser gets a 405 without CORS headers and sends nothing.
        loaded.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization")
            .options("/refresh").then()
            .statusCode(405).header("Allow", "POST")
            .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void aRefreshFromAPageOfAnotherOriginIsRefusedBeforeItRuns() {
        long runs = runs();
        // A form or a fetch without a token is a "simple" request: no preflight, the browser sends
        // it. It says where it comes from, and is refused.
        loaded.given().header("Origin", OTHER).header("Sec-Fetch-Site", "cross-site").post("/refresh").then()
            .statusCode(403).contentType("application/problem+json")
            .header("Access-Control-Allow-Origin", nullValue())
            .body("type", equalTo("/problems/cross-origin-refused"))
            .body("title", equalTo("Cross-origin request refused"))
            .body("detail", equalTo("POST /refresh is not open to pages of other origins (this request came "
                + "from 'https://evil.example.net'): run it from this service's own page, or from a program such "
                + "as curl"));
        // A browser without Sec-Fetch-Site: its Origin is not this service's.
        loaded.given().header("Origin", OTHER).post("/refresh").then().statusCode(403);
        // Another site of the same domain is another origin too; so is an opaque origin.
        loaded.given().header("Origin", "http://127.0.0.1:1").header("Sec-Fetch-Site", "same-site").post("/refresh")
            .then().statusCode(403);
        loaded.given().header("Origin", "null").post("/refresh").then().statusCode(403);
        // A second Origin or Sec-Fetch-Site line makes the header no one origin or site, whichever
        // line is this service's: refused.
        String own = loaded.app().baseUrl();
        loaded.given().header("Origin", own).header("Origin", OTHER).post("/refresh").then().statusCode(403);
        loaded.given().header("Origin", own).header("Sec-Fetch-Site", "same-origin")
            .header("Sec-Fetch-Site", "cross-site").post("/refresh").then().statusCode(403);
        // Allowed origins may read, not write.
        listed.given().header("Origin", GRAFANA).post("/refresh").then().statusCode(403);
        assertEquals(runs, runs(), "a refused refresh never ran");
    }

    @Test
    void theServicesOwnPageAndProgramsMayRefresh() {
        long runs = runs();
        loaded.given().header("Origin", loaded.app().baseUrl()).header("Sec-Fetch-Site", "same-origin")
            .post("/refresh").then().statusCode(200);
        // An older browser: no Sec-Fetch-Site, but its Origin is this service's.
        loaded.given().header("Origin", loaded.app().baseUrl()).post("/refresh").then().statusCode(200);
        // curl, cron: no Origin at all.
        loaded.given().post("/refresh").then().statusCode(200);
        assertEquals(runs + 3, runs());
    }

    // --- CORS_ORIGINS as a list ---------------------------------------------------------------

    @Test
    void aListedOriginIsNamedBackAndOthersAreNot() {
        for (String path : List.of("/ratios", "/ratios/NY", "/ratios/weekly", "/refreshes")) {
            Response allowed = listed.given().header("Origin", GRAFANA).get(path);
            assertEquals(200, allowed.statusCode(), path);
            assertEquals(GRAFANA, allowed.header("Access-Control-Allow-Origin"), path);
            assertEquals("ETag, Last-Modified, Retry-After", allowed.header("Access-Control-Expose-Headers"));
            // The answer depends on the Origin, and says so (besides Accept, for the product's formats).
            List<String> vary = allowed.headers().getValues("Vary");
            assertEquals(true, String.join(",", vary).contains("Origin"), path + ": " + vary);

            Response other = listed.given().header("Origin", OTHER).get(path);
            assertEquals(200, other.statusCode(), path);
            assertNull(other.header("Access-Control-Allow-Origin"), path);
            assertEquals(true, String.join(",", other.headers().getValues("Vary")).contains("Origin"), path);
        }
        // Origins compare as browsers send them: in any case, the trailing slash of the setting ignored.
        listed.given().header("Origin", "http://LOCALHOST:3000").get("/health").then()
            .header("Access-Control-Allow-Origin", "http://LOCALHOST:3000");
        listed.given().header("Origin", GRAFANA).header("Access-Control-Request-Method", "GET")
            .options("/ratios").then()
            .statusCode(204).header("Access-Control-Allow-Origin", GRAFANA)
            .header("Vary", containsString("Origin"));
        listed.given().header("Origin", OTHER).header("Access-Control-Request-Method", "GET")
            .options("/ratios").then()
            .statusCode(403).header("Access-Control-Allow-Origin", nullValue())
            // The allowed origins are the deployment's own: not told to a page of any origin.
            .body("detail", equalTo("Pages of 'https://evil.example.net' may not read this API: the origin is not "
                + "among CORS_ORIGINS"));
    }

    /**
     * An Origin on two lines is read as RFC 9110 reads any header: its lines joined, which is no
     * listed origin. The first line alone was named back, whichever origin a proxy put first.
     */
    @Test
    void anOriginOnTwoLinesIsNoListedOrigin() {
        for (String path : List.of("/ratios", "/ratios/NY", "/ratios/weekly", "/refreshes")) {
            for (List<String> lines : List.of(List.of(GRAFANA, OTHER), List.of(OTHER, GRAFANA), List.of(GRAFANA, GRAFANA))) {
                Response answer = listed.given().header("Origin", lines.get(0)).header("Origin", lines.get(1)).get(path);
                assertEquals(200, answer.statusCode(), path);
                assertNull(answer.header("Access-Control-Allow-Origin"), path + " " + lines);
                listed.given().header("Origin", lines.get(0)).header("Origin", lines.get(1))
                    .header("Access-Control-Request-Method", "GET").options(path).then()
                    .statusCode(403).header("Access-Control-Allow-Origin", nullValue());
            }
        }
    }

    /**
     * An origin set with its scheme's default port is the origin browsers send without it: it
     * could never match before (Origin: https://grafana.example.org against ...:443).
     */
    @Test
    void anOriginSetWithItsDefaultPortMatchesWhatBrowsersSend() {
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(loaded.config())
                .corsOrigins("https://grafana.example.org:443, http://localhost:80").build())) {
            app.given().header("Origin", GRAFANA).get("/health").then()
                .header("Access-Control-Allow-Origin", GRAFANA);
            app.given().header("Origin", "http://localhost").get("/ratios").then()
                .header("Access-Control-Allow-Origin", "http://localhost");
            app.given().header("Origin", OTHER).get("/ratios").then()
                .header("Access-Control-Allow-Origin", nullValue());
        }
    }

    private long runs() {
        return loaded.app().wiring().warehouse().jdbi().withHandle(h -> h
            .createQuery("select count(*) from dwh.refresh_runs").mapTo(Long.class).one());
    }
}
