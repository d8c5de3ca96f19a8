package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** One log line per request: method, path, route, status, time; never a header, so never a token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestLogTest {

    private static final String TOKEN = "s3cret-refresh-token-for-the-log-test";

    private RunningApp app;
    /** Locked while read: a ListAppender appends under its own lock (AppenderBase#doAppend), not its list's. */
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger logger;
    private Level level;

    @BeforeAll
    void start() {
        logger = (Logger) LoggerFactory.getLogger(RequestLog.class);
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // to this test's list only, not the console
        lines.start();
        logger.addAppender(lines);
        app = RunningApp.start(ConfigBuilder.from(TestWarehouse.newDatabase()).refreshToken("another-token").build());
    }

    @AfterAll
    void stop() {
        app.close();
        logger.detachAppender(lines);
        logger.setLevel(level);
        logger.setAdditive(true);
    }

    @Test
    void aRequestIsOneLineWithMethodPathRouteStatusAndDuration() {
        app.given().get("/ratios/NY?format=csv").then().statusCode(404);
        String line = awaitLine(l -> l.contains("path=/ratios/NY "));
        assertTrue(line.matches("method=GET path=/ratios/NY route=/ratios/\\{state} status=404 duration_ms=\\d+\\.\\d"),
            line);
        assertFalse(line.contains("format"), "no query string: " + line);
    }

    @Test
    void theAuthorizationHeaderIsNeverLogged() {
        app.given().header("Authorization", "Bearer " + TOKEN).post("/refresh").then().statusCode(401);
        String line = awaitLine(l -> l.contains("path=/refresh "));
        assertTrue(line.startsWith("method=POST path=/refresh route=/refresh status=401 duration_ms="), line);
        synchronized (lines) {
            lines.list.forEach(e -> assertFalse(e.getFormattedMessage().contains(TOKEN), e.getFormattedMessage()));
        }
    }

    @Test
    void anUnmatchedPathIsLoggedWithoutARoute() {
        app.given().get("/no/such/path").then().statusCode(404);
        assertEquals("method=GET path=/no/such/path route=unmatched status=404",
            awaitLine(l -> l.contains("path=/no/such/path ")).replaceAll(" duration_ms=.*", ""));
    }

    @Test
    void aMethodTheRouteDoesNotTakeIsLoggedWithTheRoute() {
        app.given().delete("/ratios/WY").then().statusCode(405);
        assertEquals("method=DELETE path=/ratios/WY route=/ratios/{state} status=405",
            awaitLine(l -> l.contains("path=/ratios/WY ")).replaceAll(" duration_ms=.*", ""));
    }

    /**
     * Whatever the path holds, the line is one line: a percent-encoded line break is logged as
     * sent, still encoded; a raw control or non-ASCII character Jetty refuses with a 400 before any
     * route, so it never reaches this log (RequestLog escapes the path anyway).
     */
    @Test
    void aPathCannotBreakTheLine() throws IOException {
        app.given().urlEncodingEnabled(false).get("/no/such%0A2026-01-01T00:00:00.000Z%20ERROR%20Forged").then()
            .statusCode(404);
        assertEquals("method=GET path=/no/such%0A2026-01-01T00:00:00.000Z%20ERROR%20Forged route=unmatched status=404",
            awaitLine(l -> l.contains("path=/no/such%0A")).replaceAll(" duration_ms=.*", ""));

        // Over a plain socket, as UTF-8: no client sends such a request line as written.
        for (String raw : List.of("\u0001", "\u001b", "\u007f", "\u0085", "\u2028")) {
            String statusLine = RawHttp.to(app).send("GET /no/raw" + raw + "path HTTP/1.1").statusLine();
            assertEquals("HTTP/1.1 400 Bad Request", statusLine, Integer.toHexString(raw.charAt(0)));
        }
        app.given().get("/no/raw-after").then().statusCode(404);
        awaitLine(l -> l.contains("path=/no/raw-after "));
        synchronized (lines) {
            lines.list.forEach(e -> assertFalse(e.getFormattedMessage().contains("path=/no/raw")
                && !e.getFormattedMessage().contains("path=/no/raw-after "), e.getFormattedMessage()));
        }
    }

    private String awaitLine(Predicate<String> wanted) {
        // Up to 10 s: the line is written as the answer completes, just after the client has it,
        // and a loaded CI machine once took longer than the 2.5 s this waited before.
        for (int attempt = 0; attempt < 200; attempt++) {
            List<String> found;
            synchronized (lines) {
                found = lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(wanted).toList();
            }
            if (!found.isEmpty()) {
                assertEquals(1, found.size(), "one line per request: " + found);
                return found.get(0);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        synchronized (lines) {
            // Under the appender's lock: other threads may still be logging (it once threw instead).
            throw new AssertionError("no such log line; logged: " + lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage).toList());
        }
    }
}
