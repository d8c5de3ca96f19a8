package dev.statedoses.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.statedoses.App;
import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RawHttp.Answer;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Paths whose percent-encoding cannot be read, anywhere in the path, under every route and
 * method: a 400 problem, never a 500 and a stack trace. Jetty let two kinds through to Javalin,
 * whose decoder threw on them: an escape in a segment's parameters ({@code /ratios/NY;%ZZ}) and
 * Jetty's {@code %u0041} form (web.UnreadablePaths). The targets are generated from pieces (seeded;
 * the seed is in the failure message), and whether each can be read is decided here by a decoder
 * of the test's own, not by the service's.
 */
class UnreadablePathsTest {

    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());

    private static final List<String> PREFIXES = List.of("/ratios/", "/ratios/NY/", "/ratios/weekly", "/refreshes/",
        "/refresh", "/health/", "/docs/assets/", "/dashboard/", "/metrics", "/", "/nothing/");

    private static final List<String> PIECES = List.of("%", "%Z", "%ZZ", "%u0041", "%U00e9", "%uD83D", "%00", "%0A",
        "%C3", "%C3%28", "%E2%82", "%C3%A9", "%25", "%2F", "%2e", "%41", ";", ";a=b", ";%", "%3B", "..", ".", "/", "//",
        "NY", "ny", "New%20York", "weekly", "+", "~", ":", "@", ",", "(", "a".repeat(200));

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "OPTIONS", "DELETE");

    /** An escape that is not a {@code %} and two hex digits. */
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final Pattern ESCAPES = Pattern.compile("(?:%[0-9A-Fa-f]{2})+");

    @Test
    void aPathWhoseEscapesCannotBeReadIsA400EverywhereAndNeverAServerError() throws IOException {
        Logger appLog = (Logger) LoggerFactory.getLogger(App.class);
        ListAppender<ILoggingEvent> errors = new ListAppender<>();
        errors.start();
        appLog.addAppender(errors);
        RawHttp raw = RawHttp.to(empty.app());
        Random random = new Random(SEED);
        List<String> wrong = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        int unreadable = 0;
        try {
            for (int i = 0; i < 400; i++) {
                StringBuilder target = new StringBuilder(PREFIXES.get(random.nextInt(PREFIXES.size())));
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    target.append(PIECES.get(random.nextInt(PIECES.size())));
                }
                String method = METHODS.get(random.nextInt(METHODS.size()));
                String path = target.toString();
                sent.add(method + " " + path);
                Answer answer = raw.send(method, path, List.of());
                String what = method + " " + path + " -> " + answer.statusLine();
                if (answer.status() >= 500) {
                    wrong.add(what + ": a server error");
                } else if (!readable(path)) {
                    unreadable++;
                    if (answer.status() != 400 || !"close".equals(answer.header("Connection"))) {
                        wrong.add(what + ": not a 400 that ends the connection");
                    } else if (!method.equals("HEAD")
                            && !"/problems/http-400".equals(JsonPath.from(answer.body()).getString("type"))) {
                        wrong.add(what + ": " + answer.body());
                    }
                } else if (answer.body().contains("not percent-encoded correctly")) {
                    wrong.add(what + ": a readable path refused, " + answer.body());
                }
            }
        } finally {
            appLog.detachAppender(errors);
        }
        // The service logs a route's failure as "<method> <path> failed": none may be one of ours.
        List<String> logged = errors.list.stream().filter(e -> e.getLevel() == Level.ERROR)
            .map(ILoggingEvent::getFormattedMessage)
            .filter(message -> sent.stream().anyMatch(request -> message.equals(request + " failed"))).toList();
        assertEquals(List.of(), wrong, wrong.size() + " wrong answers (seed " + SEED + ")");
        assertEquals(List.of(), logged, "errors logged (seed " + SEED + ")");
        // Enough of both kinds, or the test proves nothing.
        assertTrue(unreadable > 100 && unreadable < 350, unreadable + " of 400 paths unreadable (seed " + SEED + ")");
    }

    @Test
    void theEscapesJettyLetThroughAreNamedAndAReadableEscapeStillFindsItsState() throws IOException {
        RawHttp raw = RawHttp.to(empty.app());
        for (String path : List.of("/ratios/NY;%ZZ", "/ratios/%u004EY", "/ratios/NY;x=%", "/refreshes/1;%u0031")) {
            Answer answer = raw.get(path);
            assertEquals(400, answer.status(), path);
            assertEquals("the path is not percent-encoded correctly: a % must be followed by two hex digits"
                + " (a % itself is %25)", JsonPath.from(answer.body()).getString("detail"), path);
        }
        Answer notUtf8 = raw.get("/ratios/NY;%C3%28");
        assertEquals(400, notUtf8.status());
        assertEquals("the path is not percent-encoded correctly: its escapes are not UTF-8 text",
            JsonPath.from(notUtf8.body()).getString("detail"));
        // N%59 is NY: on this empty database, the answer of a state with no data yet.
        Answer escaped = raw.get("/ratios/N%59");
        assertEquals(404, escaped.status());
        assertEquals("/problems/no-data", JsonPath.from(escaped.body()).getString("type"));
    }

    /**
     * A target with no path, which Jetty lets through for OPTIONS alone: it was answered 301 to
     * {@code //?x}, a redirect to nowhere, with no problem. Now the 400 the other methods get.
     */
    @Test
    void anOptionsWithoutAPathIsA400NotARedirect() throws IOException {
        RawHttp raw = RawHttp.to(empty.app());
        for (String target : List.of("?x", "?/evil.example", "?", "#x", "?%ZZ")) {
            Answer answer = raw.send("OPTIONS " + target + " HTTP/1.1");
            assertEquals(400, answer.status(), "OPTIONS " + target + ": " + answer.statusLine());
            assertEquals("the request's target has no path: it must start with /",
                JsonPath.from(answer.body()).getString("detail"), "OPTIONS " + target);
            assertEquals(null, answer.header("Location"), "OPTIONS " + target);
        }
        // A GET of the same target was refused by Jetty already, as it still is.
        assertEquals(400, raw.send("GET ?x HTTP/1.1").status());
    }

    /** Whether every {@code %} of {@code path} starts two hex digits, and every run of escapes is UTF-8. */
    private static boolean readable(String path) {
        if (BAD_ESCAPE.matcher(path).find()) {
            return false;
        }
        Matcher run = ESCAPES.matcher(path);
        while (run.find()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = run.start(); i < run.end(); i += 3) {
                bytes.write(Integer.parseInt(path.substring(i + 1, i + 3), 16));
            }
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
            } catch (CharacterCodingException e) {
                return false;
            }
        }
        return true;
    }
}
