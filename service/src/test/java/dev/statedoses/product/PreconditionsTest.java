package dev.statedoses.product;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.HttpDate;
import io.restassured.http.Header;
import io.restassured.http.Headers;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * If-Match and If-Unmodified-Since on the product's reads (RFC 9110, 13.1.1, 13.1.4 and 13.2.2):
 * a client reading a product in several requests (the list, then a state's weeks) sends the
 * version it holds and learns with a 412 that the product changed between them, instead of
 * joining two products' numbers. Every read that sends an ETag is asked: the snapshot's fast path
 * (no query string) and the routes (a query string goes there), by GET and HEAD, in both formats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreconditionsTest {

    private static final List<String> READS = List.of("/ratios", "/ratios/NY", "/ratios?format=csv",
        "/ratios/vt?format=csv", "/ratios?sort=population", "/ratios?as_of=2021-01-31", "/ratios/NY?as_of=2021-01-31",
        "/ratios/NY/weekly", "/ratios/weekly", "/ratios/weekly?state=NY&format=csv");
    private static final String FAILED = "/problems/precondition-failed";

    private FixtureServer upstream;
    private RunningApp app;

    @BeforeAll
    void refreshOnce() {
        upstream = FixtureServer.start();
        app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
        app.given().post("/refresh").then().statusCode(200);
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void ifMatchReadsOnlyTheVersionItNames() {
        for (String read : READS) {
            Response plain = app.given().get(read);
            assertEquals(200, plain.statusCode(), read);
            String etag = plain.header("ETag");
            String body = plain.asString();
            for (String names : List.of(etag, "*", "\"0123\", " + etag, "\"0123\",," + etag + " , \"4567\"")) {
                Response read200 = app.given().header("If-Match", names).get(read);
                assertEquals(200, read200.statusCode(), read + " If-Match: " + names);
                assertEquals(body, read200.asString(), read);
                assertEquals(etag, read200.header("ETag"), read);
                assertEquals(200, app.given().header("If-Match", names).head(read).statusCode(), read);
            }
            // A weak tag names no version for If-Match, and one that is not this answer's fails.
            String other = etag.replace('"', '\'');
            for (String names : List.of("W/" + etag, "\"0123\"", etag.substring(1), other, "", ",")) {
                failsWith412(app.given().header("If-Match", names).get(read), read + " If-Match: " + names);
                assertEquals(412, app.given().header("If-Match", names).head(read).statusCode(), read);
            }
            // "*" is the whole value or no tag: inside a list it named any version.
            failsWith412(app.given().header("If-Match", "\"0123\", *").get(read), read + " If-Match: \"0123\", *");
            // An empty value as sent on the wire (no space after the colon), on the fast path and the routes alike.
            try {
                assertEquals(412, dev.statedoses.support.RawHttp.to(app).send("GET", read, List.of("If-Match:")).status(),
                    read + " If-Match: (empty, raw)");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            // On two lines, the lines are one list.
            Response twoLines = app.given().headers(new Headers(new Header("If-Match", "\"0123\""),
                new Header("If-Match", etag))).get(read);
            assertEquals(200, twoLines.statusCode(), read);
        }
    }

    @Test
    void ifMatchComesBeforeEveryOtherCondition() {
        Response plain = app.given().get("/ratios/NY");
        String etag = plain.header("ETag");
        String lastModified = plain.header("Last-Modified");
        String before = HttpDate.format(HttpDate.parse(lastModified).orElseThrow().minusSeconds(60));
        // If-Match holds: If-Unmodified-Since is not read, and If-None-Match may still answer 304.
        app.given().header("If-Match", etag).header("If-Unmodified-Since", before).get("/ratios/NY")
            .then().statusCode(200);
        app.given().header("If-Match", etag).header("If-None-Match", etag).get("/ratios/NY")
            .then().statusCode(304);
        // If-Match fails: 412, whatever If-None-Match or If-Modified-Since would have said.
        failsWith412(app.given().header("If-Match", "\"0123\"").header("If-None-Match", etag).get("/ratios/NY"),
            "If-Match beside If-None-Match");
        failsWith412(app.given().header("If-Unmodified-Since", before).header("If-Modified-Since", lastModified)
            .get("/ratios/NY"), "If-Unmodified-Since beside If-Modified-Since");
    }

    @Test
    void aReadThatWouldNotBe200IsNotA412() {
        app.given().header("If-Match", "\"0123\"").get("/ratios/PR").then().statusCode(404)
            .body("type", equalTo("/problems/unknown-state"));
        app.given().header("If-Match", "\"0123\"").get("/ratios/N1").then().statusCode(400)
            .body("type", equalTo("/problems/invalid-state"));
        app.given().header("If-Match", "\"0123\"").get("/ratios?format=xml").then().statusCode(400)
            .body("type", equalTo("/problems/invalid-format"));
    }

    /**
     * If-Unmodified-Since, then a second product: the date the client holds no longer names what
     * would be sent, whether the new product was built in a later second or in the same one.
     */
    @Test
    void ifUnmodifiedSinceHoldsUntilTheProductChanges() throws InterruptedException {
        Response first = app.given().get("/ratios");
        String lastModified = first.header("Last-Modified");
        Instant date = HttpDate.parse(lastModified).orElseThrow();
        for (String read : READS) {
            for (String since : List.of(lastModified, HttpDate.format(date.plusSeconds(1)),
                    HttpDate.format(date.plusSeconds(86_400)), "yesterday", "")) {
                assertEquals(200, app.given().header("If-Unmodified-Since", since).get(read).statusCode(),
                    read + " If-Unmodified-Since: " + since);
            }
            failsWith412(app.given().header("If-Unmodified-Since", HttpDate.format(date.minusSeconds(1))).get(read),
                read + " a second before");
            // Two lines are not one date: ignored, as RFC 9110 says of an invalid one.
            assertEquals(200, app.given().headers(new Headers(new Header("If-Unmodified-Since", lastModified),
                new Header("If-Unmodified-Since", lastModified))).get(read).statusCode(), read);
        }

        app.given().post("/refresh?force=true").then().statusCode(200);
        Response second = awaitNewProduct(first.header("ETag"));
        for (String read : READS) {
            failsWith412(app.given().header("If-Unmodified-Since", lastModified).get(read), read + " after a refresh");
        }
        failsWith412(app.given().header("If-Match", first.header("ETag")).get("/ratios"), "the first product's ETag");
        Response now = app.given().header("If-Match", second.header("ETag")).get("/ratios");
        assertEquals(200, now.statusCode());
        assertEquals(second.asString(), now.asString());
    }

    private Response awaitNewProduct(String oldEtag) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Response now = app.given().get("/ratios");
            if (!oldEtag.equals(now.header("ETag"))) {
                return now;
            }
            Thread.sleep(25);
        }
        return fail("the snapshot did not reload after the refresh");
    }

    private static void failsWith412(Response response, String what) {
        assertEquals(412, response.statusCode(), what);
        assertEquals(FAILED, response.jsonPath().getString("type"), what);
        assertEquals("Precondition failed", response.jsonPath().getString("title"), what);
        String detail = response.jsonPath().getString("detail");
        assertTrue(detail.contains("If-Match") || detail.contains("If-Unmodified-Since"), what + ": " + detail);
        assertNotEquals(null, response.header("Content-Type"), what);
    }
}
