package dev.statedoses.product;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.HttpDate;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our Last-Modified is the product's refreshed_at to the second, as HTTP dates are. Two products
 * built within one second (two forced refreshes back to back) share it, and a client holding the
 * first that revalidates with If-Modified-Since alone must not be told it has the second: every
 * read that sends Last-Modified answers it 200 with the body, on the instance that built it and on
 * another one on the same warehouse, while If-None-Match still earns its 304. A product built in a
 * later second than every other is answered 304 again, and neither an unchanged run nor a failed
 * one makes it ambiguous. And a Last-Modified is never later than the answer's Date, even when the
 * warehouse's clock is ahead of the service's.
 */
class LastModifiedTest {

    /** Every read that sends Last-Modified: the fast path's two, and the routes (a query string goes there). */
    private static final List<String> READS = List.of("/ratios", "/ratios/NY", "/ratios?format=csv",
        "/ratios?sort=population", "/ratios?as_of=2021-01-31", "/ratios/NY?as_of=2021-01-31", "/ratios/NY/weekly",
        "/ratios/weekly", "/ratios/weekly?state=NY");
    private static final int ATTEMPTS = 10;

    /** A product as {@code GET /ratios} served it: its refreshed_at (from the body) and validators. */
    private record Served(String refreshedAt, String lastModified, String etag, String body) {
    }

    @Test
    void aProductBuiltInTheSecondOfTheOneBeforeItIsNeverNotModifiedByDateAlone() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp a = RunningApp.start(config); RunningApp b = RunningApp.start(config)) {
                Served[] pair = twoProductsInOneSecond(a);
                Served first = pair[0];
                Served second = pair[1];
                assertEquals(first.lastModified(), second.lastModified(), "one second, one Last-Modified");
                assertNotEquals(first.refreshedAt(), second.refreshedAt());
                assertNotEquals(first.etag(), second.etag());

                // The client holding the first asks by date: the second, whole, with its validators.
                Response byDate = a.given().header("If-Modified-Since", first.lastModified()).get("/ratios");
                assertEquals(200, byDate.statusCode());
                assertEquals(second.body(), byDate.asString());
                assertEquals(second.refreshedAt(), byDate.jsonPath().getString("[0].refreshed_at"));
                assertEquals(second.lastModified(), byDate.header("Last-Modified"));
                assertEquals(second.etag(), byDate.header("ETag"));
                assertEquals(second.refreshedAt(), a.given().header("If-Modified-Since", first.lastModified())
                    .get("/ratios/NY").then().statusCode(200).extract().jsonPath().getString("refreshed_at"));
                byDate(a, first.lastModified(), 200, second);
                // If-None-Match decides when both are sent, as RFC 9110 says: the ETag tells them apart.
                byEtag(a, first, second);

                // Another instance, told by NOTIFY, answers the same; so does one started now.
                awaitServed(b, second);
                byDate(b, first.lastModified(), 200, second);
                byEtag(b, first, second);
                try (RunningApp c = RunningApp.start(config)) {
                    assertEquals(second.body(), c.given().get("/ratios").asString());
                    byDate(c, first.lastModified(), 200, second);
                }

                // A product built in a later second than every other: its date names it alone.
                awaitSecondAfter(second.refreshedAt());
                Served third = forceRefresh(a);
                assertNotEquals(second.lastModified(), third.lastModified());
                byDate(a, third.lastModified(), 304, third);
                byDate(a, first.lastModified(), 200, third);
                awaitServed(b, third);
                byDate(b, third.lastModified(), 304, third);

                // An unchanged run keeps the product, and a failed one builds none: neither is another
                // product in its second.
                a.given().post("/refresh").then().statusCode(200).body("status", equalTo("unchanged"));
                upstream.serveStatus("/moderna.csv", 404, "text/plain", "gone");
                a.given().post("/refresh?force=true").then().statusCode(502);
                assertEquals(third.body(), a.given().get("/ratios").asString());
                byDate(a, third.lastModified(), 304, third);
                try (RunningApp c = RunningApp.start(config)) {
                    byDate(c, third.lastModified(), 304, third);
                }
            }
        }
    }

    @Test
    void aLastModifiedAheadOfTheServicesClockIsLeftOutUntilItsSecondComes() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp a = RunningApp.start(config)) {
                a.given().post("/refresh").then().statusCode(200);
            }
            // As a warehouse whose clock is ahead of the service's would write it.
            Instant ahead = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(6);
            TestWarehouse.jdbi(config).useHandle(h -> {
                h.createUpdate("update dwh.state_doses set refreshed_at = :at").bind("at", ahead).execute();
                h.createUpdate("update dwh.state_doses_weekly set refreshed_at = :at").bind("at", ahead).execute();
            });
            try (RunningApp b = RunningApp.start(config)) {
                boolean sawItLeftOut = false;
                boolean sawItSent = false;
                long deadline = ahead.toEpochMilli() + 3_000;
                while (!sawItSent && System.currentTimeMillis() < deadline) {
                    for (String path : List.of("/ratios", "/ratios/NY", "/ratios?format=csv")) {
                        long asked = System.currentTimeMillis();
                        Response answer = b.given().get(path);
                        long answered = System.currentTimeMillis();
                        assertEquals(200, answer.statusCode());
                        Instant date = HttpDate.parse(answer.header("Date")).orElseThrow();
                        String lastModified = answer.header("Last-Modified");
                        if (lastModified == null) {
                            assertTrue(asked < ahead.toEpochMilli(), path + ": left out after its second came");
                            sawItLeftOut |= answered < ahead.toEpochMilli();
                        } else {
                            assertEquals(HttpDate.format(ahead), lastModified, path);
                            assertFalse(HttpDate.parse(lastModified).orElseThrow().isAfter(date),
                                path + ": Last-Modified " + lastModified + " is later than Date " + answer.header("Date"));
                            sawItSent = true;
                        }
                    }
                    Thread.sleep(100);
                }
                assertTrue(sawItLeftOut, "no answer came before the product's second: the service took too long to start");
                assertTrue(sawItSent, "Last-Modified never came back");
                assertEquals(304, b.given().header("If-Modified-Since", HttpDate.format(ahead)).get("/ratios")
                    .statusCode());
            }
        }
    }

    /**
     * Two forced refreshes on {@code app} that land in one second of the warehouse's clock (the
     * embedded one is this machine's): each takes about a tenth of a second, so started just after
     * a second begins they nearly always do. Tried again in the next second when the machine was
     * too slow.
     */
    private static Served[] twoProductsInOneSecond(RunningApp app) throws InterruptedException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Thread.sleep(1_000 - System.currentTimeMillis() % 1_000 + 5);
            Served first = forceRefresh(app);
            Served second = forceRefresh(app);
            if (second(first.refreshedAt()).equals(second(second.refreshedAt()))) {
                return new Served[] {first, second};
            }
        }
        return fail("no two refreshes in one second in " + ATTEMPTS + " attempts");
    }

    private static Served forceRefresh(RunningApp app) {
        app.given().post("/refresh?force=true").then().statusCode(200);
        return served(app);
    }

    private static Served served(RunningApp app) {
        Response response = app.given().get("/ratios");
        assertEquals(200, response.statusCode());
        String lastModified = response.header("Last-Modified");
        assertNotNull(lastModified);
        return new Served(response.jsonPath().getString("[0].refreshed_at"), lastModified, response.header("ETag"),
            response.asString());
    }

    /**
     * {@code If-Modified-Since: since} alone, asked of every read by GET and HEAD: {@code status}
     * each time, the Last-Modified of {@code product}; a 200 with the body a plain GET gets, which
     * is of {@code product} (its refreshed_at in the rows that carry one), a 304 with none.
     */
    private static void byDate(RunningApp app, String since, int status, Served product) {
        for (String path : READS) {
            String asked = path + " If-Modified-Since: " + since;
            Response get = app.given().header("If-Modified-Since", since).get(path);
            assertEquals(status, get.statusCode(), "GET " + asked);
            assertEquals(product.lastModified(), get.header("Last-Modified"), asked);
            if (status == 200) {
                assertEquals(app.given().get(path).asString(), get.asString(), asked);
                if (!path.contains("weekly")) {
                    assertTrue(get.asString().contains(product.refreshedAt()), asked + ": " + get.asString());
                }
            } else {
                assertEquals("", get.asString(), asked);
            }
            Response head = app.given().header("If-Modified-Since", since).head(path);
            assertEquals(status, head.statusCode(), "HEAD " + asked);
            assertEquals(product.lastModified(), head.header("Last-Modified"), "HEAD " + asked);
        }
    }

    /** With both validators of the first product and of the second: If-None-Match decides. */
    private static void byEtag(RunningApp app, Served first, Served second) {
        app.given().header("If-None-Match", second.etag()).header("If-Modified-Since", first.lastModified())
            .get("/ratios").then().statusCode(304);
        app.given().header("If-None-Match", second.etag()).get("/ratios").then().statusCode(304);
        assertEquals(second.body(), app.given().header("If-None-Match", first.etag())
            .header("If-Modified-Since", first.lastModified()).get("/ratios").then().statusCode(200)
            .extract().asString());
    }

    private static void awaitServed(RunningApp app, Served product) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!product.body().equals(app.given().get("/ratios").asString()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(product.body(), app.given().get("/ratios").asString(), "the other instance's product");
    }

    /** Sleeps until this machine's clock is in a later second than {@code refreshedAt}'s, by a little. */
    private static void awaitSecondAfter(String refreshedAt) throws InterruptedException {
        long next = second(refreshedAt).plusSeconds(1).toEpochMilli() + 5;
        long now = System.currentTimeMillis();
        if (now < next) {
            Thread.sleep(next - now);
        }
    }

    private static Instant second(String refreshedAt) {
        return Instant.parse(refreshedAt).truncatedTo(ChronoUnit.SECONDS);
    }
}
