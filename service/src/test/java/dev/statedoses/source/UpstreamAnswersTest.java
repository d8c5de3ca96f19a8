package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawUpstream;
import dev.statedoses.util.HttpDate;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an upstream's answer means for the fetch, over a real socket.
 *
 * <p>Only a 200 is a body to load. The service never sends Range, so a 206 is a part a cache or
 * proxy chose to send; a 202, 203 or 204 is not the file either. Each is refused, once (no retry:
 * asking again gets the same), naming the status.
 *
 * <p>A 304 means "unchanged" only when it speaks of the version asked about: one that names
 * another ETag or Last-Modified says the source changed, and the fetch asks again for the whole
 * body. And once an attempt has answered with a body, a retry asks unconditionally: a 304 to it
 * would leave nothing to load. A retry after a reset before any answer asks what the first
 * attempt asked.
 */
class UpstreamAnswersTest {

    private static final byte[] MODERNA = Fixtures.bytes("moderna.csv");

    /** Every success status but 200, the registered ones and the unregistered. */
    static IntStream successesOtherThan200() {
        return IntStream.rangeClosed(201, 299);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @MethodSource("successesOtherThan200")
    void aSuccessOtherThan200IsNotTheFile(int status) {
        // Half the file, as a 206 would carry it: the rows it holds are real, and must not load.
        // (A 204 carries no body by definition: one with a body is a broken answer, a transient fault.)
        byte[] half = Arrays.copyOf(MODERNA, status == 204 ? 0 : MODERNA.length / 2);
        String range = status == 206 ? "Content-Range: bytes 0-" + (half.length - 1) + "/" + MODERNA.length : "";
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(status, range, half), RawUpstream.ok(MODERNA));
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            URI url = upstream.url("/moderna.csv");
            SourceException e = assertThrows(SourceException.class,
                () -> fetcher.fetch(SourceName.MODERNA, url, null).open().close());
            assertEquals(SourceException.Kind.UNAVAILABLE, e.kind(), e.describe());
            assertTrue(e.getMessage().startsWith("upstream answered HTTP " + status + " ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("), not 200: only a 200 carries the whole file to load"), e.getMessage());
            assertEquals(1, e.attempts());
            assertEquals(1, upstream.requests().size());
        }
    }

    // ---- 304 -----------------------------------------------------------------------------------

    private static final String SHA = "0".repeat(64);
    private static final String V1 = "\"v1\"";
    private static final String V2 = "\"v2\"";
    private static final String MARCH_1 = "Mon, 01 Mar 2021 00:00:00 GMT";
    private static final String MARCH_2 = "Tue, 02 Mar 2021 00:00:00 GMT";

    /** A 304's ETag: absent, the one sent (strong or weak), or another (strong or weak). */
    private static final List<String> ETAGS_304 = Arrays.asList(null, V1, "W/" + V1, V2, "W/" + V2);
    /** A 304's Last-Modified: absent, the one sent (as sent, or the same instant another way), newer, older, unreadable. */
    private static final List<String> DATES_304 = Arrays.asList(null, MARCH_1, "Mon, 1 Mar 2021 00:00:00 +0000",
        "Monday, 01-Mar-21 00:00:00 GMT", "Mon Mar  1 00:00:00 2021", MARCH_2, "Sun, 28 Feb 2021 23:59:59 GMT",
        "Sunday, 28-Feb-21 23:59:59 GMT", "Tue Mar  2 00:00:00 2021", "yesterday");
    /** MARCH_1 in each form of an HTTP date RFC 9110 says a recipient MUST read. */
    private static final List<String> MARCH_1_WRITTEN = List.of(MARCH_1, "Mon, 1 Mar 2021 00:00:00 +0000",
        "Monday, 01-Mar-21 00:00:00 GMT", "Mon Mar  1 00:00:00 2021");

    /** Every conditional request (by ETag, by date, by both) against every 304 of those validators. */
    static List<Object[]> notModifiedAnswers() {
        List<Object[]> cases = new ArrayList<>();
        for (KnownSource asked : List.of(new KnownSource(SHA, V1, null, null), new KnownSource(SHA, null, MARCH_1, null),
                new KnownSource(SHA, V1, MARCH_1, null))) {
            for (String etag : ETAGS_304) {
                for (String date : DATES_304) {
                    cases.add(new Object[] {asked, etag, date});
                }
            }
        }
        return cases;
    }

    /**
     * The 304 agrees with every validator that was sent (ETags weakly, dates as instants): the
     * source is unchanged, with the validators sent, and nothing else (a validator not sent is
     * not proof of anything). It names another version: one more request, without conditions,
     * gets the new body, and the validators kept are the new body's.
     */
    @ParameterizedTest(name = "asked {0}, 304 with ETag {1} and Last-Modified {2}")
    @MethodSource("notModifiedAnswers")
    void aNotModifiedIsUnchangedOnlyWhenItNamesTheVersionAskedAbout(KnownSource asked, String etag, String date)
            throws IOException {
        String headers = String.join("\r\n", java.util.stream.Stream.of(etag == null ? null : "ETag: " + etag,
            date == null ? null : "Last-Modified: " + date).filter(java.util.Objects::nonNull).toList());
        boolean otherEtag = asked.etag() != null && (V2.equals(etag) || ("W/" + V2).equals(etag));
        boolean otherDate = asked.lastModified() != null && date != null && !MARCH_1_WRITTEN.contains(date);
        boolean changed = otherEtag || otherDate;
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(304, headers, new byte[0]),
                RawUpstream.byRequest(head -> RawUpstream.conditional(head) ? RawUpstream.answer(304, headers, new byte[0])
                    : RawUpstream.answer(200, "ETag: " + V2 + "\r\nLast-Modified: " + MARCH_2 + "\r\nDate: "
                        + HttpDate.format(Instant.now()), MODERNA)));
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), asked);
            try (SourceStream stream = fetch.open()) {
                if (!changed) {
                    assertTrue(stream.notModified());
                    assertEquals(asked.etag(), stream.etag());
                    assertEquals(asked.lastModified(), stream.lastModified());
                    assertEquals(SHA, stream.sha256Hex());
                    assertEquals(1, upstream.requests().size());
                    return;
                }
                assertFalse(stream.notModified());
                assertArrayEquals(MODERNA, stream.readAllBytes());
                assertEquals(V2, stream.etag());
                assertEquals(MARCH_2, stream.lastModified());
                assertEquals(2, fetch.attempts());
                List<String> requests = upstream.requests();
                assertEquals(2, requests.size());
                assertTrue(RawUpstream.conditional(requests.get(0)), requests.get(0));
                assertFalse(RawUpstream.conditional(requests.get(1)), requests.get(1));
            }
        }
    }

    // ---- resets -------------------------------------------------------------------------------

    /** The fixtures' Moderna with Vermont's first doses of 4 January 2021 made 301: the source changed. */
    private static final byte[] CHANGED = new String(MODERNA, java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\"", "\"Vermont\",\"2021-01-04T00:00:00.000\",\"301\"")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** What the last good refresh saw: nothing (the first refresh), an ETag, a Last-Modified, both. */
    static List<KnownSource> asked() {
        return Arrays.asList(null, new KnownSource(SHA, V1, null, null), new KnownSource(SHA, null, MARCH_1, null),
            new KnownSource(SHA, V1, MARCH_1, null));
    }

    /**
     * Where the body breaks off: before its first byte, after one (short of the two bytes that tell
     * a gzip body), after two, at a quarter, half and three quarters, one byte short of its end;
     * for each thing the fetch may ask about.
     */
    static List<Arguments> resetsDuringTheBody() {
        assertFalse(Arrays.equals(MODERNA, CHANGED));
        int length = CHANGED.length;
        List<Arguments> cases = new ArrayList<>();
        for (KnownSource asked : asked()) {
            for (int sent : new int[] {0, 1, 2, length / 4, length / 2, 3 * length / 4, length - 1}) {
                cases.add(Arguments.of(asked, sent));
            }
        }
        return cases;
    }

    /**
     * The source changed (a 200 with a new ETag and Last-Modified) and the connection was reset
     * in the middle of its body: the retry asks for the whole body, unconditionally, and gets it.
     * A cache a step behind would answer a conditional retry 304, and there would be nothing to
     * load (the refresh failed "the body is empty"). The reset comes once the fetch has the
     * answer and has read what arrived of it: sent at once, the JDK's client could take it for a
     * reset before any answer (see RawUpstream.resetMidBody), a case of its own, below.
     */
    @ParameterizedTest(name = "asked {0}, reset after {1} bytes")
    @MethodSource("resetsDuringTheBody")
    void aRetryAfterABodyHasStartedAsksForTheWholeBody(KnownSource asked, int sent) throws IOException {
        RawUpstream.MidBodyReset cut = RawUpstream.resetMidBody(CHANGED, sent, newVersion());
        try (RawUpstream upstream = RawUpstream.start(cut, aCacheAStepBehind());
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), asked);
            // The decoder looks at two bytes before it hands any over (a gzip body starts 0x1F 0x8B):
            // of a body cut after one byte, none can be read.
            int read = sent < 2 ? 0 : sent;
            SourceException reset;
            try (SourceStream first = fetch.open()) {
                assertFalse(first.notModified());
                assertEquals(V2, first.etag());
                assertArrayEquals(Arrays.copyOf(CHANGED, read), first.readNBytes(read));
                cut.reset();
                reset = assertThrows(SourceException.class, () -> drain(first));
            }
            assertTrue(reset.isTransient(), reset.describe());
            assertTrue(reset.getMessage().startsWith("the connection failed after " + read + " bytes ("),
                reset.getMessage());
            assertTrue(fetch.mayRetry(reset));
            try (SourceStream again = fetch.open()) {
                assertFalse(again.notModified());
                assertArrayEquals(CHANGED, again.readAllBytes());
                assertEquals(V2, again.etag());
                assertEquals(MARCH_2, again.lastModified());
            }
            assertEquals(2, fetch.attempts());
            List<String> requests = upstream.requests();
            assertEquals(2, requests.size());
            assertEquals(conditionsOf(asked), conditions(requests.get(0)), requests.get(0));
            assertEquals(Map.of(), conditions(requests.get(1)), requests.get(1));
            assertEquals(otherHeaders(requests.get(0)), otherHeaders(requests.get(1)));
        }
    }

    /**
     * A reset before any answer says nothing about the source: the retry asks what the first
     * attempt asked, and a 304 that agrees with it is an unchanged source. A reset right behind
     * an answer the JDK's client had not handed over yet is reported as one of these: as far as
     * the fetch can know, nothing answered. (After a reset before any byte of an answer, the
     * JDK's client asks once more by itself, on a new connection, as for a connection gone
     * stale in its pool: two resets make the fetch's first attempt fail.)
     */
    @ParameterizedTest(name = "asked {0}")
    @MethodSource("asked")
    void aRetryAfterAResetBeforeAnyAnswerAsksWhatTheFirstAttemptAsked(KnownSource asked) throws IOException {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.resetAtOnce(), RawUpstream.resetAtOnce(),
                aCacheAStepBehind());
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), asked);
            try (SourceStream stream = fetch.open()) {
                if (asked == null) {
                    assertFalse(stream.notModified());
                    assertArrayEquals(CHANGED, stream.readAllBytes());
                    assertEquals(V2, stream.etag());
                } else {
                    assertTrue(stream.notModified());
                    assertEquals(SHA, stream.sha256Hex());
                    assertEquals(asked.etag(), stream.etag());
                    assertEquals(asked.lastModified(), stream.lastModified());
                }
            }
            assertEquals(2, fetch.attempts());
            List<String> requests = upstream.requests();
            assertEquals(3, requests.size());
            for (String request : requests) {
                assertEquals(conditionsOf(asked), conditions(request), request);
                assertEquals(otherHeaders(requests.get(0)), otherHeaders(request));
            }
        }
    }

    /** The new version's headers: its ETag, and a Last-Modified strong enough to keep (the Date is later). */
    private static String newVersion() {
        return "ETag: " + V2 + "\r\nLast-Modified: " + MARCH_2 + "\r\nDate: " + HttpDate.format(Instant.now());
    }

    /**
     * An upstream behind a cache a step behind: a conditional request is answered 304, naming the
     * old version as the request did; one without conditions gets the new version whole.
     */
    private static RawUpstream.Answer aCacheAStepBehind() {
        return RawUpstream.byRequest(head -> RawUpstream.conditional(head)
            ? RawUpstream.answer(304, "ETag: " + V1 + "\r\nLast-Modified: " + MARCH_1, new byte[0])
            : RawUpstream.answer(200, newVersion(), CHANGED));
    }

    private static final Set<String> CONDITIONS = Set.of("if-none-match", "if-modified-since");

    /** The conditions a request for {@code asked} carries. */
    private static Map<String, String> conditionsOf(KnownSource asked) {
        Map<String, String> conditions = new java.util.HashMap<>();
        if (asked != null && asked.etag() != null) {
            conditions.put("if-none-match", asked.etag());
        }
        if (asked != null && asked.lastModified() != null) {
            conditions.put("if-modified-since", asked.lastModified());
        }
        return conditions;
    }

    /** A request head's conditions, by lower-case name. */
    private static Map<String, String> conditions(String head) {
        Map<String, String> conditions = new java.util.HashMap<>(RawUpstream.headers(head));
        conditions.keySet().retainAll(CONDITIONS);
        return conditions;
    }

    /** A request head's other headers (who asks, what it accepts), by lower-case name. */
    private static Map<String, String> otherHeaders(String head) {
        Map<String, String> others = new java.util.HashMap<>(RawUpstream.headers(head));
        others.keySet().removeAll(CONDITIONS);
        assertTrue(others.containsKey("user-agent") && others.containsKey("accept-encoding"), head);
        return others;
    }

    /**
     * Content-Encoding is a list, and its lines are one list in order (RFC 9110, 5.3 and 8.4):
     * deflate on one line and gzip on the next is a body deflated, then gzipped, and is undone in
     * reverse, as when both are on one line. Reading only the first line took the gzip stream for
     * deflate data.
     */
    @Test
    void contentEncodingOverTwoLinesIsOneList() throws IOException {
        byte[] encoded = gzip(deflate(MODERNA));
        for (String lines : List.of("Content-Encoding: deflate, gzip", "Content-Encoding: deflate\r\nContent-Encoding: gzip",
                "Content-Encoding: deflate\r\nContent-Encoding: \r\nContent-Encoding: gzip")) {
            try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(200, lines, encoded));
                 SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test");
                 SourceStream stream = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), null).open()) {
                assertArrayEquals(MODERNA, stream.readAllBytes(), lines);
            }
        }
        // A coding we cannot undo is named, on whichever line it comes.
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(200,
                "Content-Encoding: gzip\r\nContent-Encoding: br", gzip(MODERNA)));
             SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
            SourceException e = assertThrows(SourceException.class,
                () -> fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), null).open().close());
            assertEquals(SourceException.Kind.CONTENT, e.kind());
            assertTrue(e.getMessage().contains("Content-Encoding br"), e.getMessage());
        }
    }

    /**
     * An answer that says its length two ways is refused, once (asking again gets the same),
     * saying so: the JDK's client reads it one of the ways without a word. Generated from the
     * fixture: two Content-Lengths, one ending the file at a line break after a random line (the
     * JDK read to the first, and the file loaded without its last lines), in either order; a
     * chunked body beside a Content-Length of its chunks, of the file or of one line, in either
     * order; a Transfer-Encoding the JDK does not undo. Two equal Content-Lengths are one length.
     */
    @Test
    void anAnswerFramedTwoWaysIsNotLoaded() throws IOException {
        List<Integer> lineEnds = new ArrayList<>();
        for (int i = 0; i < MODERNA.length - 1; i++) {
            if (MODERNA[i] == '\n') {
                lineEnds.add(i + 1);
            }
        }
        java.util.Random random = new java.util.Random(20261201);
        byte[] chunks = RawUpstream.chunked(MODERNA, 1 + random.nextInt(MODERNA.length / 3));
        Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            int cut = lineEnds.get(random.nextInt(lineEnds.size()));
            refused.put("Content-Length: " + cut + "\r\nContent-Length: " + MODERNA.length, MODERNA);
            refused.put("Content-Length: " + MODERNA.length + "\r\nContent-Length: " + cut, MODERNA);
        }
        for (int length : List.of(chunks.length, MODERNA.length, lineEnds.get(0))) {
            refused.put("Transfer-Encoding: chunked\r\nContent-Length: " + length, chunks);
            refused.put("Content-Length: " + length + "\r\nTransfer-Encoding: chunked", chunks);
        }
        refused.put("Transfer-Encoding: gzip, chunked", RawUpstream.chunked(gzip(MODERNA), 4096));
        refused.put("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked", RawUpstream.chunked(gzip(MODERNA), 4096));
        for (Map.Entry<String, byte[]> framing : refused.entrySet()) {
            try (RawUpstream upstream = RawUpstream.start(RawUpstream.framed(framing.getKey(), framing.getValue()),
                     RawUpstream.ok(MODERNA));
                 SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test")) {
                SourceException e = assertThrows(SourceException.class,
                    () -> fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), null).open().close(),
                    framing.getKey());
                assertEquals(SourceException.Kind.UNAVAILABLE, e.kind(), e.describe());
                String twoWays = framing.getKey().contains("gzip")
                    ? "upstream sent the body with Transfer-Encoding gzip, chunked, which this service cannot decode"
                    : "): where its body ends cannot be told, so it is not loaded (RFC 9112, 6.3)";
                assertTrue(e.getMessage().contains(twoWays), framing.getKey() + ": " + e.getMessage());
                assertEquals(1, e.attempts());
                assertEquals(1, upstream.requests().size());
            }
        }
        for (String framing : List.of("Content-Length: " + MODERNA.length + "\r\nContent-Length: " + MODERNA.length,
                "Transfer-Encoding: chunked")) {
            byte[] body = framing.startsWith("Transfer") ? chunks : MODERNA;
            try (RawUpstream upstream = RawUpstream.start(RawUpstream.framed(framing, body));
                 SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test");
                 SourceStream stream = fetcher.fetch(SourceName.MODERNA, upstream.url("/moderna.csv"), null).open()) {
                assertArrayEquals(MODERNA, stream.readAllBytes(), framing);
            }
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] bytes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream deflate = new java.util.zip.DeflaterOutputStream(out)) {
            deflate.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * A Last-Modified is kept, to ask "modified since?" next time, only when it can tell versions
     * apart: RFC 9110 (8.8.2.2) deems it strong only when the answer's Date is at least a second
     * after it. A file written in the second it was fetched may be written again in that second,
     * with the same Last-Modified: asked about it, an upstream without an ETag would answer 304
     * over bytes we never had, refresh after refresh. Dates the second before, the same second,
     * a second after and later, and answers without a Date or with one that is no date.
     */
    @Test
    void aLastModifiedIsKeptOnlyWhenTheAnswersDateIsASecondAfterIt() throws IOException {
        Instant modified = Instant.parse("2026-11-30T02:30:00Z");
        String lastModified = HttpDate.format(modified);
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("Date: " + HttpDate.format(modified.minusSeconds(1)), null);
        cases.put("Date: " + HttpDate.format(modified), null);
        cases.put("Date: " + HttpDate.format(modified.plusSeconds(1)), lastModified);
        cases.put("Date: " + HttpDate.format(modified.plusSeconds(86_400)), lastModified);
        cases.put("Date: Tue, 30 Nov 2026 03:00:00 GMT", null); // 30 November 2026 is a Monday
        cases.put("", null);
        for (java.util.Map.Entry<String, String> c : cases.entrySet()) {
            String headers = "Last-Modified: " + lastModified + (c.getKey().isEmpty() ? "" : "\r\n" + c.getKey());
            try (RawUpstream upstream = RawUpstream.start(RawUpstream.answer(200, headers, MODERNA));
                 SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1_000_000, "test");
                 SourceStream stream = fetcher.fetch(SourceName.MODERNA, upstream.url("/m.csv"), null).open()) {
                assertArrayEquals(MODERNA, stream.readAllBytes());
                assertEquals(c.getValue(), stream.lastModified(), c.getKey());
                assertNull(stream.etag());
            }
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.readAllBytes();
    }
}
