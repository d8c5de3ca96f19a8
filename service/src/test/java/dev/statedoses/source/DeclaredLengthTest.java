package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A body that ends quietly before its Content-Length (a transport that reports the end of a cut
 * connection as the end of the body) is a cut download, not a whole file: ended on a line's end,
 * it would otherwise load as a file with rows missing. Bodies of every length from none to two
 * more than declared, the last line ended or not.
 */
class DeclaredLengthTest {

    private static final byte[] BODY = ("\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\","
        + "\"_2nd_dose_allocations\"\n\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"300\"\n"
        + "\"Maine\",\"2021-01-04T00:00:00.000\",\"200\",\"100\"\n").getBytes(StandardCharsets.UTF_8);
    private static final URI URL = URI.create("http://upstream.test/moderna.csv");

    /** {@code bytes} as the HTTP client delivers a body that then ends quietly. */
    private static SourceStream stream(byte[] bytes, long declared) {
        HandPublisher body = new HandPublisher();
        ReadAhead ahead = ReadAhead.start(body, declared);
        if (bytes.length > 0) {
            body.send(bytes);
        }
        body.complete();
        return new SourceStream(ahead, SourceName.MODERNA, URL, 1_000_000);
    }

    @Test
    void aBodyShorterThanItsContentLengthIsCutShortWhereverItEnds() throws IOException {
        for (int length = 0; length < BODY.length; length++) {
            byte[] part = java.util.Arrays.copyOf(BODY, length);
            try (SourceStream stream = stream(part, BODY.length)) {
                SourceException cut = assertThrows(SourceException.class, stream::readAllBytes, "length " + length);
                assertEquals(SourceException.Kind.TRUNCATED, cut.kind(), cut.describe());
                assertFalse(cut.isTransient());
                assertTrue(cut.getMessage().contains("the body ends after " + length + " bytes, before its end "
                    + "(fixed content-length: " + BODY.length + ", bytes received: " + length), cut.getMessage());
            }
        }
    }

    @Test
    void aBodyLongerThanItsContentLengthFailsToo() {
        for (int extra = 1; extra <= 2; extra++) {
            byte[] longer = java.util.Arrays.copyOf(BODY, BODY.length + extra);
            longer[BODY.length] = '\n';
            SourceStream stream = stream(longer, BODY.length);
            SourceException fault = assertThrows(SourceException.class, stream::readAllBytes, "extra " + extra);
            assertTrue(fault.getMessage().contains("bytes received: " + (BODY.length + extra)), fault.getMessage());
        }
    }

    @Test
    void aWholeBodyOrOneWithoutALengthReadsAsItCame() throws IOException {
        for (long declared : new long[] {BODY.length, -1}) {
            try (SourceStream stream = stream(BODY, declared)) {
                assertArrayEquals(BODY, stream.readAllBytes());
                assertEquals(BODY.length, stream.bytes());
            }
        }
    }

    @Test
    void theDeclaredLengthIsContentLengthOnlyWhereItApplies() {
        assertEquals(9, SourceFetcher.declaredLength(headers(Map.of("Content-Length", List.of("9")))));
        assertEquals(0, SourceFetcher.declaredLength(headers(Map.of("Content-Length", List.of("0")))));
        // The same length twice, on two lines or in a list, is one length (RFC 9110, 8.6).
        assertEquals(9, SourceFetcher.declaredLength(headers(Map.of("Content-Length", List.of("9", "9")))));
        assertEquals(9, SourceFetcher.declaredLength(headers(Map.of("Content-Length", List.of("9, 9")))));
        // A chunked body, or one that ends with its connection, has none.
        assertEquals(-1, SourceFetcher.declaredLength(headers(Map.of("Transfer-Encoding", List.of("chunked")))));
        assertEquals(-1, SourceFetcher.declaredLength(headers(Map.of("Transfer-Encoding", List.of("identity")))));
        assertEquals(-1, SourceFetcher.declaredLength(headers(Map.of())));
        // No length at all (RFC 9112, 6.3: an unrecoverable error): the JDK reads -1 as none, and
        // the body to the connection's close; another negative as a length, the whole body then
        // "cut short"; letters it refuses itself, out of send (SourceFetcher names that one).
        for (String length : List.of("-1", "-5", "9x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SourceFetcher.declaredLength(headers(Map.of("Content-Length", List.of(length)))), length);
            assertEquals("upstream's answer gives a Content-Length that is no length (" + length + "): where its body "
                + "ends cannot be told, so it is not loaded (RFC 9112, 6.3)", e.getMessage());
        }
    }

    /**
     * An answer framed two ways is refused, whichever way the two are written: two different
     * Content-Lengths (the JDK reads the first, and a first that ends at a line break loaded the
     * file without its last lines), a Transfer-Encoding beside a Content-Length (the JDK reads
     * the chunked body by the length, chunk sizes and all), and a Transfer-Encoding it cannot undo.
     */
    @Test
    void anAnswerFramedTwoWaysIsRefused() {
        List<Map<String, List<String>>> framings = List.of(
            Map.of("Content-Length", List.of("9", "8")),
            Map.of("Content-Length", List.of("8", "9")),
            Map.of("Content-Length", List.of("9, 8")),
            Map.of("Content-Length", List.of("9", "9", "10")),
            Map.of("Content-Length", List.of("9"), "Transfer-Encoding", List.of("chunked")),
            Map.of("Content-Length", List.of("0"), "Transfer-Encoding", List.of("identity")));
        for (Map<String, List<String>> framing : framings) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SourceFetcher.declaredLength(headers(framing)), framing.toString());
            assertTrue(e.getMessage().startsWith("upstream's answer "), e.getMessage());
            assertTrue(e.getMessage().endsWith("where its body ends cannot be told, so it is not loaded "
                + "(RFC 9112, 6.3)"), e.getMessage());
        }
        for (String codings : List.of("gzip, chunked", "chunked, chunked", "deflate", "x-custom, chunked")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SourceFetcher.declaredLength(headers(Map.of("Transfer-Encoding", List.of(codings)))), codings);
            assertEquals("upstream sent the body with Transfer-Encoding " + codings
                + ", which this service cannot decode (it reads chunked)", e.getMessage());
        }
    }

    private static HttpHeaders headers(Map<String, List<String>> values) {
        return HttpHeaders.of(values, (name, value) -> true);
    }
}
