package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RawUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an upstream's status line means for the fetch, over a real socket: only a 200 is a body to
 * load. The service never sends Range, so a 206 is a part a cache or proxy chose to send; a 202,
 * 203 or 204 is not the file either. Each is refused, once (no retry: asking again gets the same),
 * naming the status.
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
}
