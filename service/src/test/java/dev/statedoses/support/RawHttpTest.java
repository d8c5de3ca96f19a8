package dev.statedoses.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The test client's own promise: a connection that read no status line, or whose read was reset,
 * is asked again (the reset race {@link RawHttp#send(byte[])} describes), and a server that never
 * answers still fails, naming what each attempt read.
 */
class RawHttpTest {

    private static final RawUpstream.Answer NOTHING = socket -> { };

    /** The tail of an answer whose start a reset threw away. */
    private static final RawUpstream.Answer TAIL = socket -> {
        OutputStream out = socket.getOutputStream();
        out.write("ength: 2\r\n\r\nno".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    };

    @Test
    void aConnectionThatReadNoStatusLineIsAskedAgain() throws IOException {
        try (RawUpstream upstream = RawUpstream.start(NOTHING, RawUpstream.resetAtOnce(), TAIL, NOTHING,
                RawUpstream.answer(201, "X-Attempt: 5", "five".getBytes(StandardCharsets.US_ASCII)))) {
            RawHttp.Answer answer = new RawHttp("127.0.0.1", upstream.url("/").getPort()).get("/x");
            assertEquals(201, answer.status());
            assertEquals("5", answer.header("X-Attempt"));
            assertEquals("five", answer.body());
            assertEquals(5, upstream.requests().size());
        }
    }

    @Test
    void aServerThatNeverAnswersStillFailsNamingEachAttempt() {
        try (RawUpstream upstream = RawUpstream.start(TAIL, NOTHING)) {
            RawHttp raw = new RawHttp("127.0.0.1", upstream.url("/").getPort());
            IOException failure = assertThrows(IOException.class, () -> raw.get("/x"));
            assertTrue(failure.getMessage().startsWith("not an HTTP answer:  (after [whole write, 14 bytes read without"
                + " a status line, whole write, nothing read,"), failure.getMessage());
            assertEquals(8, upstream.requests().size());
        }
    }
}
