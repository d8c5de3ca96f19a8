package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawUpstream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A body cut short, over a real socket, is reported where the upstream stopped: the bytes it sent
 * and the line they end in, however late the reader comes to them. The upstream sends its head,
 * then the bytes in two writes, then closes the connection; each cut (every line end, and places
 * inside lines) is read at once and after a pause long enough for the failure to arrive first.
 * The JDK's own input stream drops the bytes it holds once it has the failure, which CI met once
 * (a body cut after line 5 reported as ending after 0 bytes, on line 1); {@link ReadAheadTest}
 * holds the order of bytes and failure deterministically.
 */
class CutBodyTest {

    private static final byte[] MODERNA = Fixtures.bytes("moderna.csv");

    static Stream<Arguments> cuts() {
        List<Arguments> cuts = new ArrayList<>();
        Random random = new Random(11);
        for (int at = 0; at < MODERNA.length; at++) {
            boolean lineEnd = at > 0 && MODERNA[at - 1] == '\n';
            if (lineEnd || random.nextInt(40) == 0) {
                for (int pause : new int[] {0, 300}) {
                    cuts.add(Arguments.of(at, pause));
                }
            }
        }
        return cuts.stream();
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest(name = "{0} of the bytes, read after {1} ms")
    @MethodSource("cuts")
    void aCutBodyIsReportedWhereTheUpstreamStopped(int sent, int pause) throws Exception {
        RawUpstream.Answer cut = socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: " + MODERNA.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            sleep(20);
            out.write(MODERNA, 0, sent / 2);
            out.flush();
            sleep(20);
            out.write(MODERNA, sent / 2, sent - sent / 2);
            out.flush();
            socket.close();
        };
        try (RawUpstream upstream = RawUpstream.start(cut);
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            SourceStream body = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), null).open();
            Thread.sleep(pause);
            SourceException e = assertThrows(SourceException.class, body::readAllBytes);
            body.close();
            long lines = new String(MODERNA, 0, sent, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
            assertEquals(SourceException.Kind.TRUNCATED, e.kind(), e.describe());
            assertEquals(lines + 1, e.line(), e.describe());
            assertEquals(sent, body.bytes(), e.describe());
            assertTrue(e.getMessage().startsWith("the body ends after " + sent + " bytes, before its end ("),
                e.getMessage());
            assertTrue(e.getMessage().contains("fixed content-length: " + MODERNA.length + ", bytes received: " + sent),
                e.getMessage());
        }
    }
}
