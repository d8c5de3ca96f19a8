package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RefusingPort;
import dev.statedoses.support.RunningApp;
import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that redirects, over real HTTP, through the service: a redirect to the file (301,
 * 302, 303, 307, 308, relative or absolute, in two hops) loads it; one the client does not follow
 * (a loop, a Location to ftp: or file:, none at all, a 300) fails the refresh once (502), says
 * which and where it pointed, with a secret in it hidden, and keeps the product. Before, each was
 * "upstream answered HTTP 302", and a redirect without a Location was tried four times as if the
 * connection had broken.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedirectingUpstreamTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** GET /ratios as the good refresh left it, without its time. */
    private String product;

    @BeforeAll
    void keepTheProduct() {
        product = withoutTimes(loaded.given().get("/ratios").asString());
    }

    private static String withoutTimes(String ratios) {
        return ratios.replaceAll("\"refreshed_at\":\"[^\"]*\"", "");
    }

    /** Answers {@code status} with {@code location} (none when null), counting the requests in {@code asked}. */
    private static FixtureServer.Behaviour redirect(int status, String location, AtomicInteger asked) {
        return exchange -> {
            asked.incrementAndGet();
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        };
    }

    /** POST /refresh, forced, by a service whose Moderna source is {@code moderna}. */
    private static ValidatableResponse refreshWithModerna(URI moderna) {
        Config config = ConfigBuilder.from(loaded.config()).moderna(moderna).build();
        try (RunningApp app = RunningApp.start(config)) {
            return app.given().post("/refresh?force=true").then();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void aRedirectToTheFileLoadsIt(int status) {
        FixtureServer upstream = loaded.upstream();
        AtomicInteger asked = new AtomicInteger();
        upstream.serveFixture("/moved/" + status + "/moderna.csv", "moderna.csv");
        // Two hops: an absolute Location, then one relative to the URL that answered.
        upstream.serve("/hop/" + status + "/b", redirect(status, "../../moved/" + status + "/moderna.csv", asked));
        URI first = upstream.serve("/hop/" + status + "/a",
            redirect(status, upstream.url("/hop/" + status + "/b").toString(), asked));
        refreshWithModerna(first).statusCode(200)
            .body("status", equalTo("succeeded"))
            .body("doses_in_sources", equalTo(13930))
            .body("doses_in_state_rows", equalTo(11800));
        assertEquals(2, asked.get());
    }

    @Test
    void aLoopIsCalledOneAfterTheRedirectsTheClientFollows() {
        AtomicInteger asked = new AtomicInteger();
        URI loop = loaded.upstream().serve("/loop/moderna.csv", redirect(302, "/loop/moderna.csv", asked));
        String detail = refreshWithModerna(loop).statusCode(502).extract().jsonPath().getString("detail");
        // Every request but the first followed a redirect; none was asked again as a new attempt.
        int followed = asked.get() - 1;
        assertTrue(followed >= 3, "asked " + asked.get() + " times");
        assertEquals("moderna source (" + loop + "): upstream answered HTTP 302 after " + followed + " redirects, the "
            + "last to " + loop + ": the client follows no more, so they go round in a loop, or more than a source "
            + "needs", detail);
        assertEquals(product, withoutTimes(loaded.given().get("/ratios").asString()));
    }

    @Test
    void aRedirectToAnotherSchemeIsNamedWithItsSecretHidden() {
        AtomicInteger asked = new AtomicInteger();
        URI ftp = loaded.upstream().serve("/to-ftp/moderna.csv",
            redirect(302, "ftp://files.example/m.csv?X-Amz-Signature=s3cr3t", asked));
        refusedSaying(ftp, "upstream answered HTTP 302, a redirect to ftp://files.example/m.csv?X-Amz-Signature=***, "
            + "which is not followed: only http and https URLs are")
            .body(not(containsString("s3cr3t")));
        URI file = loaded.upstream().serve("/to-file/moderna.csv", redirect(307, "file:///etc/passwd", asked));
        refusedSaying(file, "upstream answered HTTP 307, a redirect to file:///etc/passwd, which is not followed: "
            + "only http and https URLs are");
        assertEquals(2, asked.get());
    }

    @Test
    void aRedirectWithoutALocationIsAskedOnce() {
        AtomicInteger asked = new AtomicInteger();
        URI nowhere = loaded.upstream().serve("/nowhere/moderna.csv", redirect(302, null, asked));
        refusedSaying(nowhere, "upstream answered HTTP 302, a redirect without a Location to follow");
        assertEquals(1, asked.get());
    }

    /**
     * Two Location lines that differ (a proxy's and the origin's?): following the first loaded
     * whatever it pointed at as the source. The redirect is named with both, asked once, and the
     * product kept.
     */
    @Test
    void twoDifferentLocationsAreNotChosenAmong() {
        AtomicInteger asked = new AtomicInteger();
        URI there = loaded.upstream().serveFixture("/two/there/moderna.csv", "moderna.csv");
        URI two = loaded.upstream().serve("/two/moderna.csv", exchange -> {
            asked.incrementAndGet();
            exchange.getResponseHeaders().add("Location", there.toString());
            exchange.getResponseHeaders().add("Location", "/two/elsewhere/moderna.csv");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        refusedSaying(two, "upstream answered HTTP 302, a redirect with 2 different Locations (" + there
            + ", /two/elsewhere/moderna.csv): which one the file is at cannot be told");
        assertEquals(1, asked.get());
    }

    @Test
    void multipleChoicesAreNotChosenAmong() {
        AtomicInteger asked = new AtomicInteger();
        URI choices = loaded.upstream().serve("/choices/moderna.csv", redirect(300, "/moderna.csv", asked));
        refusedSaying(choices, "upstream answered HTTP 300, a redirect of a kind that is not followed (Multiple "
            + "Choices): point the source's URL at the file itself");
        assertEquals(1, asked.get());
    }

    /**
     * A Location the client could not follow was reported as "cannot request this URL", the words
     * for a wrong source URL, with a secret in the Location as it came: the redirect is named, with
     * what the Location said (its secret hidden, relative or not) and why it is not followed,
     * asked once (a second try meets the same answer), and the product is kept.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://exa mple.test/m.csv | a redirect to something that is not a URL (http://exa mple.test/m.csv: "
            + "illegal character in authority)",
        "http://[::1/m.csv | a redirect to something that is not a URL (http://[::1/m.csv: expected closing bracket "
            + "for IPv6 address)",
        "http://files.example/%zz?X-Amz-Signature=s3cr3t | a redirect to something that is not a URL "
            + "(http://files.example/%zz?X-Amz-Signature=***: malformed escape pair)",
        "/m.csv?token=s3cr3t abc | a redirect to something that is not a URL (/m.csv?token=***: illegal character "
            + "in query)",
        "http://h:99999/m.csv?sig=s3cr3t | a redirect to http://h:99999/m.csv?sig=***, whose port is not from 1 to "
            + "65535",
        "http:///m.csv | a redirect to http:///m.csv, which names no host",
        "http://exa_mple.test/m.csv | a redirect to http://exa_mple.test/m.csv, which names no host that can be "
            + "connected to"})
    void aRedirectThatCannotBeFollowedIsNamedAsOne(String location, String expected) {
        AtomicInteger asked = new AtomicInteger();
        URI bad = loaded.upstream().serve("/unfollowable/" + Integer.toHexString(location.hashCode()) + "/moderna.csv",
            redirect(302, location, asked));
        refusedSaying(bad, "upstream answered HTTP 302, " + expected).body(not(containsString("s3cr3t")));
        assertEquals(1, asked.get());
    }

    /**
     * A fault at the end of a redirect was reported as the source URL's own: "unknown host
     * 127.0.0.1" for a redirect to a host that does not exist, "connection refused" with the
     * source's URL, up and answering, beside it. It is named at the hop it happened at.
     */
    @Test
    void aFaultAfterARedirectIsNamedWhereItHappened() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        URI unknown = loaded.upstream().serve("/to-nowhere/moderna.csv",
            redirect(307, "http://no-such-host.invalid/m.csv?X-Amz-Signature=s3cr3t", asked));
        refusedSaying(unknown, "unknown host no-such-host.invalid (at "
            + "http://no-such-host.invalid/m.csv?X-Amz-Signature=***, after 1 redirect)")
            .body(not(containsString("s3cr3t")));
        assertEquals(1, asked.get());
        try (RefusingPort refusing = RefusingPort.open()) {
            String to = "http://127.0.0.1:" + refusing.port() + "/m.csv";
            URI refused = loaded.upstream().serve("/to-refused/moderna.csv", redirect(302, to, asked));
            // A refused connection is transient: asked again, as for the source's own URL.
            String detail = refreshWithModerna(refused).statusCode(502).extract().jsonPath().getString("detail");
            assertEquals("moderna source (" + refused + "): connection refused (at " + to + ", after 1 redirect) "
                + "(after 4 attempts)", detail);
            assertEquals(product, withoutTimes(loaded.given().get("/ratios").asString()));
        }
    }

    /**
     * An answer that is no file, at the end of redirects: named at the hop that gave it, as a
     * fault of the connection is. A 404 there was "upstream answered HTTP 404" beside the source's
     * URL, which redirects and is fine; so was a 206, and a body cut short.
     */
    @Test
    void anAnswerAfterARedirectIsNamedAtItsHop() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        int n = 0;
        for (int status : new int[] {404, 410, 403}) {
            URI gone = loaded.upstream().serveStatus("/hop-status/" + status + "/m.csv", status, "text/plain", "no");
            URI second = loaded.upstream().serve("/hop-status/" + status + "/b", redirect(301, gone.toString(), asked));
            URI first = loaded.upstream().serve("/hop-status/" + status + "/a", redirect(302, second.toString(), asked));
            refusedSaying(first, "upstream answered HTTP " + status + " (at " + gone + ", after 2 redirects)");
            n += 2;
            assertEquals(n, asked.get(), "each redirect asked once: a " + status + " is not tried again");
        }
        URI part = loaded.upstream().serveStatus("/hop-partial/m.csv", 206, "text/csv", "state\n");
        refusedSaying(loaded.upstream().serve("/hop-partial/a", redirect(307, part.toString(), asked)),
            "upstream answered HTTP 206 (Partial Content) (at " + part + ", after 1 redirect), not 200: only a 200 "
                + "carries the whole file to load");
        byte[] body = Fixtures.bytes("moderna.csv");
        URI cut = loaded.upstream().serveCutOff("/hop-cut/m.csv", body, body.length / 2);
        String detail = refreshWithModerna(loaded.upstream().serve("/hop-cut/a", redirect(302, cut.toString(), asked)))
            .extract().jsonPath().getString("detail");
        assertTrue(detail.contains("(at " + cut + ", after 1 redirect)"), detail);
        assertEquals(product, withoutTimes(loaded.given().get("/ratios").asString()));
    }

    /** The refresh from {@code moderna} fails with 502 and this detail, and the product is as it was. */
    private ValidatableResponse refusedSaying(URI moderna, String message) {
        ValidatableResponse answer = refreshWithModerna(moderna).statusCode(502)
            .body("type", equalTo("/problems/source-unavailable"))
            .body("detail", equalTo("moderna source (" + moderna + "): " + message));
        assertEquals(product, withoutTimes(loaded.given().get("/ratios").asString()));
        return answer;
    }
}
