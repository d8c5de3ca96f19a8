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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Our Last-Modified is the product's refreshed_at to the second, as HTTP dates are. Two products
 * built within one second (two forced refreshes back to back) share it, and a client holding the
 * first that revalidates with If-Modified-Since alone must not be told it has the second: every
 * read that sends Last-Modified answers it 200 with the body, on the instance that built it and on
 * another one on the same warehouse, while If-None-Match still earns its 304. A product built in a
 * later second than every other is answered 304 again, and neither an unchanged run nor a failed
 * one makes it ambiguous. And a Last-Modified is never later than the answer's Date, even when the
 * warehouse's clock is ahead of the service's and the answer is decided after the second turned.
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

    /**
     * A product whose second is ahead of the service's clock, read by four clients at once over
     * every kind of read (the fast path's, the routes', one that reads the warehouse first; GET,
     * HEAD, and a 304 by ETag) until its second has come and gone: no answer ever carries a
     * Last-Modified later than its Date. Jetty writes a Date as a request begins, so an answer
     * decided after the second turned once went out with the new second's Last-Modified under the
     * old second's Date. Across the turn the warehouse is held up (a lock on the product table),
     * so reads of it asked before are answered after, as a slow warehouse would answer them.
     */
    @Test
    void noAnswerHasALastModifiedLaterThanItsDate() throws Exception {
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
                String etag = b.given().get("/ratios").header("ETag");
                List<Ask> asks = List.of(new Ask("GET", "/ratios", null), new Ask("GET", "/ratios/NY", null),
                    new Ask("GET", "/ratios", etag), new Ask("HEAD", "/ratios", null),
                    new Ask("GET", "/ratios?format=csv", null), new Ask("GET", "/ratios/NY?as_of=2021-01-31", null),
                    new Ask("HEAD", "/ratios/weekly?state=NY", null), new Ask("GET", "/ratios/NY/weekly", null));
                long until = ahead.toEpochMilli() + 1_500;
                List<Callable<Seen>> clients = new ArrayList<>();
                for (int client = 0; client < 4; client++) {
                    int first = client;
                    clients.add(() -> readUntil(b.baseUrl(), asks, first, ahead, until));
                }
                ExecutorService pool = Executors.newFixedThreadPool(clients.size());
                Seen seen = new Seen(0, 0, 0);
                try {
                    List<Future<Seen>> running = new ArrayList<>();
                    for (Callable<Seen> client : clients) {
                        running.add(pool.submit(client));
                    }
                    readAcrossTheTurn(config, b, ahead);
                    for (Future<Seen> client : running) {
                        seen = seen.plus(client.get());
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertTrue(seen.leftOut() > 0, "no answer came before the product's second: the service took too long "
                    + "to start (" + seen + ")");
                assertTrue(seen.sentAfterItsSecond() > 0, "Last-Modified never came back (" + seen + ")");
                assertEquals(304, b.given().header("If-Modified-Since", HttpDate.format(ahead)).get("/ratios")
                    .statusCode());
            }
        }
    }

    /**
     * Holds the product table locked from half a second before {@code ahead} to a third of one
     * after it, and reads the product as of a date (which reads that table) in that time: asked
     * before the second came, answered after it, the answer carries the Last-Modified, and a Date
     * not earlier than it.
     */
    private static void readAcrossTheTurn(Config config, RunningApp app, Instant ahead) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Thread.sleep(Math.max(0, ahead.toEpochMilli() - 500 - System.currentTimeMillis()));
        HttpResponse<String> answer = TestWarehouse.jdbi(config).inTransaction(h -> {
            h.execute("lock table dwh.state_doses in access exclusive mode");
            var asked = http.sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/ratios/NY?as_of=2021-01-31"))
                .build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(Math.max(0, ahead.toEpochMilli() + 300 - System.currentTimeMillis()));
            assertFalse(asked.isDone(), "the read did not wait for the warehouse");
            return asked;
        }).get();
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(HttpDate.format(ahead), answer.headers().firstValue("Last-Modified").orElse(null));
        assertEquals(1, answer.headers().allValues("Date").size());
        Instant date = HttpDate.parse(answer.headers().firstValue("Date").orElseThrow()).orElseThrow();
        assertFalse(ahead.isAfter(date), "Last-Modified " + HttpDate.format(ahead) + " is later than Date " + date);
    }

    /** A read: method, path, and the If-None-Match it sends (null: none). */
    private record Ask(String method, String path, String ifNoneMatch) {
    }

    /** Answers without Last-Modified, with it, and those of them made in its own second. */
    private record Seen(int leftOut, int sent, int sentAfterItsSecond) {
        Seen plus(Seen other) {
            return new Seen(leftOut + other.leftOut, sent + other.sent, sentAfterItsSecond + other.sentAfterItsSecond);
        }
    }

    /**
     * Sends {@code asks} in turn, from the {@code first}th, until {@code until}; fails at the
     * first answer that is not 200 (304 for an ETag), has other than one Date, a Last-Modified
     * other than {@code ahead}'s or later than its Date, or none when asked after its second came.
     */
    private static Seen readUntil(String baseUrl, List<Ask> asks, int first, Instant ahead, long until)
        throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int leftOut = 0;
        int sent = 0;
        int sentAfter = 0;
        for (int i = first; System.currentTimeMillis() < until; i++) {
            Ask ask = asks.get(i % asks.size());
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + ask.path()))
                .method(ask.method(), HttpRequest.BodyPublishers.noBody());
            if (ask.ifNoneMatch() != null) {
                request.header("If-None-Match", ask.ifNoneMatch());
            }
            long asked = System.currentTimeMillis();
            HttpResponse<Void> answer = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            String what = ask + " asked at " + Instant.ofEpochMilli(asked);
            assertEquals(ask.ifNoneMatch() == null ? 200 : 304, answer.statusCode(), what);
            List<String> dates = answer.headers().allValues("Date");
            assertEquals(1, dates.size(), what + ": " + dates);
            Instant date = HttpDate.parse(dates.get(0)).orElseThrow();
            String lastModified = answer.headers().firstValue("Last-Modified").orElse(null);
            if (lastModified == null) {
                assertTrue(asked < ahead.toEpochMilli(), what + ": left out after its second came");
                leftOut++;
            } else {
                assertEquals(HttpDate.format(ahead), lastModified, what);
                assertFalse(ahead.isAfter(date), what + ": Last-Modified " + lastModified + " is later than Date "
                    + dates.get(0));
                sent++;
                sentAfter += asked >= ahead.toEpochMilli() ? 1 : 0;
            }
        }
        return new Seen(leftOut, sent, sentAfter);
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
