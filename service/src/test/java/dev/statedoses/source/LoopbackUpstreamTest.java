package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The server the sources' client makes its first exchange with before any refresh
 * ({@link SourceFetcher#prepare}): it answers as an upstream does, only on the loopback address,
 * and stops listening when closed.
 */
class LoopbackUpstreamTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void itAnswersEveryRequestWithTheBodyAndAnUpstreamsValidators() throws Exception {
        byte[] body = "a,b\r\n1,2\r\n".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackUpstream upstream = LoopbackUpstream.serving(body)) {
            URI url = upstream.url();
            assertEquals("127.0.0.1", url.getHost());
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, answer.statusCode());
                assertArrayEquals(body, answer.body());
                assertEquals("\"warm-up\"", answer.headers().firstValue("ETag").orElseThrow());
                assertEquals("Mon, 21 Jun 2021 00:00:00 GMT", answer.headers().firstValue("Last-Modified").orElseThrow());
                assertEquals(10, answer.headers().firstValueAsLong("Content-Length").orElseThrow());
            }
        }
    }

    @Test
    void aRequestHeadThatNeverEndsGetsNoAnswerAndTheNextRequestStillDoes() throws Exception {
        byte[] body = "x\r\n".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackUpstream upstream = LoopbackUpstream.serving(body)) {
            URI url = upstream.url();
            try (Socket socket = new Socket(url.getHost(), url.getPort())) {
                OutputStream out = socket.getOutputStream();
                // 17 KB of header line without the blank line that ends a head: over the 16 KB bound.
                out.write(("GET / HTTP/1.1\r\nX: " + "y".repeat(17 * 1024)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                socket.setSoTimeout(5_000);
                InputStream in = socket.getInputStream();
                assertEquals(-1, in.read(), "dropped without an answer");
            } catch (IOException reset) {
                // Closed while we still wrote: also no answer.
            }
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals("x\r\n", answer.body());
        }
    }

    @Test
    void onceClosedItNoLongerListens() throws Exception {
        LoopbackUpstream upstream = LoopbackUpstream.serving("x\r\n".getBytes(StandardCharsets.US_ASCII));
        URI url = upstream.url();
        assertTrue(upstream.serving());
        upstream.close();
        // Its thread has ended by the time close returns: until then the port still accepts.
        assertFalse(upstream.serving(), "its thread still runs after close");
        // The port is free again once closed, so another listener may already hold it: a refused
        // connection, or an answer that is not ours, both say it no longer listens.
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("GET /warm-up.csv HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
            assertFalse(answer.contains("ETag: \"warm-up\""), answer);
        } catch (SocketException | SocketTimeoutException notOurs) {
            // Refused, or another listener that neither answered nor accepted the request.
        }
    }

    @Test
    void prepareFetchesTheGeneratedBodyThroughTheSourcesClient() {
        try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1 << 20, "test")) {
            // "jurisdiction,week_of_allocations\r\n" (34 bytes) as many whole times as fit in 96 KiB:
            // 98,304 / 34 = 2,891 lines.
            assertEquals(2_891 * 34, fetcher.prepare());
            assertEquals(98_294, fetcher.prepare(), "and again, with the client already built");
        }
    }
}
