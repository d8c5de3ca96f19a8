package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The body between the HTTP client and the CSV reader. What the client delivered before a failure
 * is read before the failure, however the bytes came in lists and buffers and however late the
 * reader comes: the JDK's own input stream throws at the next read once it has the failure and
 * drops what it held, so a cut body was reported where the reader happened to be (CI: a body cut
 * after line 5, "ends after 0 bytes", on line 1). And no more is asked for than the queue holds.
 */
class ReadAheadTest {

    private static final byte[] MODERNA = Fixtures.bytes("moderna.csv");
    private static final URI URL = URI.create("http://upstream.test/moderna.csv");

    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    /**
     * A random cut of the fixture, delivered in random lists of random buffers, then a failure
     * (the client's "fixed content-length" with its EOFException, or a quiet end short of the
     * Content-Length), all before the first read: the reader gets every byte, then the cut, on
     * the line those bytes end in.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyByteDeliveredBeforeACutIsReadBeforeIt(long seed) {
        Random random = new Random(seed);
        int sent = random.nextInt(MODERNA.length);
        HandPublisher body = new HandPublisher();
        ReadAhead ahead = ReadAhead.start(body, MODERNA.length);
        for (int at = 0; at < sent; ) {
            List<byte[]> parts = new ArrayList<>();
            for (int buffers = 1 + random.nextInt(3); buffers > 0 && at < sent; buffers--) {
                int size = Math.min(sent - at, 1 + random.nextInt(64));
                parts.add(Arrays.copyOfRange(MODERNA, at, at + size));
                at += size;
            }
            if (random.nextInt(5) == 0) {
                parts.add(new byte[0]); // the client sends empty buffers too
            }
            body.send(parts.toArray(byte[][]::new));
        }
        if (random.nextBoolean()) {
            body.fail(new IOException("fixed content-length: " + MODERNA.length + ", bytes received: " + sent,
                new EOFException("EOF reached while reading")));
        } else {
            body.complete();
        }
        SourceStream stream = new SourceStream(ahead, SourceName.MODERNA, URL, 1_000_000);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 + random.nextInt(100)];
        SourceException cut = assertThrows(SourceException.class, () -> {
            for (int n = stream.read(buffer, 0, buffer.length); n >= 0; n = stream.read(buffer, 0, buffer.length)) {
                read.write(buffer, 0, n);
            }
        });
        assertArrayEquals(Arrays.copyOf(MODERNA, sent), read.toByteArray());
        assertEquals(SourceException.Kind.TRUNCATED, cut.kind(), cut.describe());
        long lines = new String(MODERNA, 0, sent, StandardCharsets.UTF_8)
            .chars().filter(c -> c == '\n').count();
        assertEquals(lines + 1, cut.line(), cut.describe());
        assertTrue(cut.getMessage().startsWith("the body ends after " + sent + " bytes, before its end"),
            cut.getMessage());
    }

    /** A broken connection, too, comes after the bytes before it: a transient fault, retried. */
    @Test
    void aResetComesAfterTheBytesBeforeIt() {
        HandPublisher body = new HandPublisher();
        ReadAhead ahead = ReadAhead.start(body, MODERNA.length);
        body.send(Arrays.copyOf(MODERNA, 100));
        body.fail(new SocketException("Connection reset"));
        SourceStream stream = new SourceStream(ahead, SourceName.MODERNA, URL, 1_000_000);
        byte[] first = new byte[100];
        assertEquals(100, stream.read(first, 0, 100));
        assertArrayEquals(Arrays.copyOf(MODERNA, 100), first);
        SourceException reset = assertThrows(SourceException.class, () -> stream.read(first, 0, 100));
        assertTrue(reset.isTransient(), reset.describe());
        assertEquals("the connection failed after 100 bytes (Connection reset)", reset.getMessage());
    }

    /**
     * One list asked for at a time, and none while the queue holds {@link ReadAhead#CAPACITY}
     * bytes: a source far larger than the heap streams. Reading below it asks again.
     */
    @Test
    void noMoreIsAskedForThanTheQueueHolds() throws IOException {
        HandPublisher body = new HandPublisher();
        ReadAhead ahead = ReadAhead.start(body, -1);
        int chunk = ReadAhead.CAPACITY / 4;
        for (int i = 0; i < 4; i++) {
            assertEquals(1, body.demand(), "list " + i);
            assertFalse(ahead.waitsForReader());
            body.send(new byte[chunk]);
        }
        assertEquals(0, body.demand(), "asked for more with the queue full");
        assertTrue(ahead.waitsForReader(), "a full queue waits for its reader, not for the upstream");
        assertEquals(1, ahead.read(new byte[1], 0, 1));
        assertEquals(1, body.demand(), "a byte read leaves room: the next list is asked for");
        assertFalse(ahead.waitsForReader());
        body.send(new byte[1]);
        body.complete();
        assertTrue(ahead.waitsForReader(), "ended: all there is waits for the reader");
        assertEquals(ReadAhead.CAPACITY, ahead.readAllBytes().length);
        assertEquals(-1, ahead.read());
    }

    /** Closing lets go of the body, before the client has subscribed or after; a reader then fails. */
    @Test
    void closingCancelsTheBody() {
        HandPublisher open = new HandPublisher();
        ReadAhead ahead = ReadAhead.start(open, -1);
        open.send("\"a\"\n".getBytes(StandardCharsets.UTF_8));
        ahead.close();
        assertTrue(open.cancelled());
        IOException closed = assertThrows(IOException.class, () -> ahead.read(new byte[4], 0, 4));
        assertEquals("closed", closed.getMessage());

        HandPublisher unread = new HandPublisher();
        ReadAhead.discard(unread);
        assertTrue(unread.cancelled(), "a body not to be read is let go of at once");
        assertEquals(0, unread.demand(), "and nothing is asked of it");
    }
}
