package dev.statedoses.product;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.statedoses.App;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.NationalFiles;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.util.Sha256;
import io.restassured.response.Response;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The weekly answers that grow with the product, past the size an answer is kept in memory
 * ({@link ProductResponse#KEPT_BYTES}, 1 MiB): written as they are sent, they still carry the ETag
 * and Content-Length of the very bytes sent, answer 304 to their ETag, and a HEAD says the length
 * its GET sends. Before, each such answer was made whole in memory, and at 300 times the real
 * number of weeks one request for {@code /ratios/weekly?from=...} ended a service under -Xmx256m.
 *
 * <p>Generated national files of 480 weeks from 2021-01-04 (as AllocationScalesTest's): place i
 * (states alphabetically, then DC, New York City, Chicago, Philadelphia) allocated 1,000 + 10i of
 * each dose a week by Moderna, 1,200 + 10i by Pfizer; the fixture's county file (New York 6,000
 * people). New York (31) and New York City (51) a week: Moderna 2 x 1,310 + 2 x 1,510 = 5,640,
 * Pfizer 2 x 1,510 + 2 x 1,710 = 6,440, 12,080 in all; after k weeks 12,080k doses, 6,000 / 12,080k
 * people per dose (k = 1: 0.4967; k = 480: 6,000 / 5,798,400 = 0.0010). 51 states x 480 weeks =
 * 24,480 rows: about 3.4 MB of JSON and 1.2 MB of CSV, both over the limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeWeeklyAnswersTest {

    private static final int WEEKS = 480;
    private static final int ROWS = 51 * WEEKS;

    private FixtureServer upstream;
    private RunningApp app;

    @BeforeAll
    void refresh() {
        upstream = FixtureServer.start();
        app = RunningApp.start(ConfigBuilder.from(upstream.serveFixtureSources(TestWarehouse.newDatabase()))
            .moderna(upstream.serve("/large/m.csv", file(1000).getBytes(StandardCharsets.UTF_8)))
            .pfizer(upstream.serve("/large/p.csv", file(1200).getBytes(StandardCharsets.UTF_8))).build());
        app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    private static String file(long base) {
        List<String> lines = new ArrayList<>();
        for (int w = 0; w < WEEKS; w++) {
            String week = LocalDate.of(2021, 1, 4).plusWeeks(w).toString();
            for (int i = 0; i < NationalFiles.PLACES.size(); i++) {
                lines.add(NationalFiles.line(NationalFiles.PLACES.get(i), week, base + 10L * i));
            }
        }
        return NationalFiles.file(lines);
    }

    @Test
    void everyStateAndWeekInJsonIsSentWithTheEtagAndLengthOfItsBytes() {
        Response answer = app.given().get("/ratios/weekly");
        answer.then().statusCode(200).contentType("application/json")
            .body("size()", equalTo(ROWS))
            .body("findAll { it.state_code == 'NY' }.size()", equalTo(WEEKS))
            .body("findAll { it.state_code == 'NY' }[0].doses_moderna", equalTo(5640))
            .body("findAll { it.state_code == 'NY' }[0].doses_pfizer", equalTo(6440))
            .body("findAll { it.state_code == 'NY' }[0].doses_total", equalTo(12080))
            .body("findAll { it.state_code == 'NY' }[0].people_per_dose", equalTo(0.4967f))
            .body("findAll { it.state_code == 'NY' }[479].week", equalTo("2030-03-11"))
            .body("findAll { it.state_code == 'NY' }[479].doses_total", equalTo(12080 * WEEKS))
            .body("findAll { it.state_code == 'NY' }[479].people_per_dose", equalTo(0.0010f));
        assertWholeAndTagged(answer, ProductResponse.KEPT_BYTES);
        // Asked again, written again: the same bytes and tag.
        Response again = app.given().get("/ratios/weekly");
        assertEquals(answer.getHeader("ETag"), again.getHeader("ETag"));
        assertArrayEquals(answer.asByteArray(), again.asByteArray(), "the same bytes");
    }

    @Test
    void everyStateAndWeekInCsvIsSentWithTheEtagAndLengthOfItsBytes() {
        Response answer = app.given().accept("text/csv").get("/ratios/weekly");
        answer.then().statusCode(200).contentType("text/csv; charset=utf-8");
        String[] lines = answer.asString().split("\r\n");
        assertEquals(ROWS + 1, lines.length);
        assertEquals("state,state_code,week,doses_moderna,doses_pfizer,doses_total,people_per_dose", lines[0]);
        // New York is the 33rd of the 51 (DC among them, after Delaware): its first week after 32 x 480 rows.
        assertEquals("New York,NY,2021-01-04,5640,6440,12080,0.4967", lines[1 + 32 * WEEKS]);
        assertEquals("New York,NY,2030-03-11,5640,6440," + 12080 * WEEKS + ",0.0010", lines[33 * WEEKS]);
        assertWholeAndTagged(answer, ProductResponse.KEPT_BYTES);
    }

    @Test
    void aFilteredAnswerOverTheLimitIsSentWholeAndTagged() {
        // Every state from the second week on: 51 x 479 rows, over the limit in both formats.
        Response json = app.given().queryParam("from", "2021-01-11").get("/ratios/weekly");
        json.then().statusCode(200).body("size()", equalTo(51 * (WEEKS - 1)))
            .body("findAll { it.state_code == 'NY' }[0].doses_total", equalTo(2 * 12080))
            .body("findAll { it.state_code == 'NY' }[0].people_per_dose", equalTo(0.2483f));
        assertWholeAndTagged(json, ProductResponse.KEPT_BYTES);
        Response csv = app.given().queryParam("from", "2021-01-11").queryParam("format", "csv").get("/ratios/weekly");
        assertEquals(51 * (WEEKS - 1) + 1, csv.asString().split("\r\n").length);
        assertWholeAndTagged(csv, ProductResponse.KEPT_BYTES);
    }

    @Test
    void theEtagOfAStreamedAnswerEarnsA304AndAHeadSaysItsLength() {
        for (String path : List.of("/ratios/weekly", "/ratios/weekly?from=2021-01-11")) {
            Response answer = app.given().get(path);
            String etag = answer.getHeader("ETag");
            app.given().header("If-None-Match", etag).get(path).then()
                .statusCode(304).header("ETag", etag).body(emptyString());
            app.given().header("If-Match", "\"0123456789abcdef0123456789abcdef\"").get(path).then()
                .statusCode(412);
            Response head = app.given().head(path);
            head.then().statusCode(200).header("ETag", etag)
                .header("Content-Length", Integer.toString(answer.asByteArray().length)).body(emptyString());
        }
    }

    /**
     * A client that hangs up while a streamed answer is written is no fault of the service's: no
     * ERROR line (each one logged "GET /ratios/weekly failed" and a stack trace, so any client could
     * fill the log by hanging up), and the next reader gets the whole answer.
     */
    @Test
    void aClientThatHangsUpMidAnswerLeavesNoErrorBehind() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(App.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            for (String target : List.of("/ratios/weekly", "/ratios/weekly?from=2021-01-11&format=csv")) {
                try (Socket socket = new Socket("localhost", app.port())) {
                    socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    byte[] some = socket.getInputStream().readNBytes(4096);
                    assertTrue(new String(some, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"), target);
                    // Closed with most of the answer unread, and reset rather than waited for.
                    socket.setSoLinger(true, 0);
                }
            }
            Response whole = app.given().get("/ratios/weekly");
            assertEquals(200, whole.statusCode());
            assertWholeAndTagged(whole, ProductResponse.KEPT_BYTES);
            Thread.sleep(500); // the hung-up writes end on the server's threads
            synchronized (lines) {
                assertEquals(List.of(), lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList());
            }
        } finally {
            logger.detachAppender(lines);
        }
    }

    /** The answer's ETag is its bytes' SHA-256 (as a kept answer's is), its Content-Length their number, over {@code limit}. */
    private static void assertWholeAndTagged(Response answer, int limit) {
        byte[] body = answer.asByteArray();
        assertTrue(body.length > limit, body.length + " bytes: over the limit, so written as sent");
        assertEquals(Integer.toString(body.length), answer.getHeader("Content-Length"));
        assertEquals("\"" + Sha256.hex(body).substring(0, 32) + "\"", answer.getHeader("ETag"));
    }
}
