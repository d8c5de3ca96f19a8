package dev.statedoses.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream on a raw socket, for the faults an HTTP server library will not commit: a
 * connection reset (TCP RST) before any answer or in the middle of a body. Each connection gets
 * the next of its scripted answers, the last one repeating; every request's head is recorded.
 */
public final class RawUpstream implements AutoCloseable {

    /** What one connection gets. */
    @FunctionalInterface
    public interface Answer {
        void give(Socket socket) throws IOException;

        /** Answers the request whose head is {@code head}; most answers do not look at it. */
        default void give(String head, Socket socket) throws IOException {
            give(socket);
        }
    }

    private final ServerSocket server;
    private final List<Answer> script;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private RawUpstream(ServerSocket server, List<Answer> script) {
        this.server = server;
        this.script = List.copyOf(script);
        this.acceptor = new Thread(this::accept, "raw-upstream");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static RawUpstream start(Answer... script) {
        try {
            return new RawUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), List.of(script));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** The request heads received so far, one per connection. */
    public List<String> requests() {
        return new ArrayList<>(requests);
    }

    private void accept() {
        int served = 0;
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                String head = readHead(socket.getInputStream());
                requests.add(head);
                script.get(Math.min(served++, script.size() - 1)).give(head, socket);
            } catch (IOException e) {
                // closed, or the client went away: next connection
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    /**
     * Answers as {@code choose} decides from the request's head: a conditional request one way,
     * another the other way, as an upstream behind caches of different ages may.
     */
    public static Answer byRequest(java.util.function.Function<String, Answer> choose) {
        return new Answer() {
            @Override
            public void give(Socket socket) {
                throw new IllegalStateException("answered by its request");
            }

            @Override
            public void give(String head, Socket socket) throws IOException {
                choose.apply(head).give(head, socket);
            }
        };
    }

    /** Whether a request head asks conditionally (If-None-Match or If-Modified-Since). */
    public static boolean conditional(String head) {
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("\nif-none-match:") || lower.contains("\nif-modified-since:");
    }

    /** A request head's headers, by lower-case name (the first of a name that comes twice). */
    public static java.util.Map<String, String> headers(String head) {
        return head.lines().skip(1).filter(line -> line.contains(":"))
            .collect(java.util.stream.Collectors.toMap(
                line -> line.substring(0, line.indexOf(':')).strip().toLowerCase(java.util.Locale.ROOT),
                line -> line.substring(line.indexOf(':') + 1).strip(), (a, b) -> a));
    }

    /** Resets the connection at once: no status line. */
    public static Answer resetAtOnce() {
        return RawUpstream::reset;
    }

    /**
     * A reset in the middle of a body, when the test says: sends the headers (with the whole
     * length, and {@code extraHeaders}, CRLF-separated lines) and the first {@code sent} bytes of
     * {@code body}, holds the connection open until {@link MidBodyReset#reset()}, and only then
     * resets it. Call reset() once the client has the answer (its fetch returned a stream, or the
     * refresh is copying the source's rows).
     *
     * <p>A reset sent at once, right behind the bytes, is not a reset during the body to the JDK's
     * client every time: when it arrives before the client has handed the answer over, send()
     * fails ("Connection reset"; 1 to 5 requests in 100 on loopback), with no status and no headers,
     * and the fetch rightly takes it for a reset before any answer, asked again as before.
     */
    public static MidBodyReset resetMidBody(byte[] body, int sent, String extraHeaders) {
        return new MidBodyReset(body, sent, extraHeaders);
    }

    /** See {@link #resetMidBody}. */
    public static final class MidBodyReset implements Answer {
        private final byte[] body;
        private final int sent;
        private final String extraHeaders;
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

        private MidBodyReset(byte[] body, int sent, String extraHeaders) {
            if (sent < 0 || sent >= body.length) {
                throw new IllegalArgumentException("a cut inside the body: 0 to " + (body.length - 1) + ", not " + sent);
            }
            this.body = body.clone();
            this.sent = sent;
            this.extraHeaders = extraHeaders;
        }

        @Override
        public void give(Socket socket) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(head(200, body.length, extraHeaders));
            out.write(body, 0, sent);
            out.flush();
            try {
                // Bounded only so that a test that never says leaves no connection behind; close() says too.
                released.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RawUpstream.reset(socket);
        }

        /** Resets the connection now (or as soon as it is asked for, if it is not yet). */
        public void reset() {
            released.countDown();
        }
    }

    /** Answers {@code status} with {@code extraHeaders} (CRLF-separated lines) and {@code body}. */
    public static Answer answer(int status, String extraHeaders, byte[] body) {
        return socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(head(status, body.length, extraHeaders));
            out.write(body);
            out.flush();
        };
    }

    public static Answer ok(byte[] body) {
        return answer(200, "", body);
    }

    /**
     * A 200 framed by {@code framing} alone (header lines, CRLF-separated: no Content-Length of
     * ours), then {@code body} as it is, then the connection closes: for answers that say their
     * length two ways, which no HTTP server library writes.
     */
    public static Answer framed(String framing, byte[] body) {
        return socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n" + framing + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        };
    }

    /** {@code bytes} as they are, head and all (or none), then the connection closes: for answers that break HTTP. */
    public static Answer raw(byte[] bytes) {
        return socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        };
    }

    /** {@code body} in chunks of {@code size} bytes, as Transfer-Encoding: chunked writes it. */
    public static byte[] chunked(byte[] body, int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += size) {
            int length = Math.min(size, body.length - at);
            out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, length);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] head(int status, int length, String extraHeaders) {
        return ("HTTP/1.1 " + status + " X\r\nContent-Type: text/csv\r\nContent-Length: " + length
            + "\r\nConnection: close\r\n" + (extraHeaders.isEmpty() ? "" : extraHeaders + "\r\n") + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0); // close() then sends RST, not FIN
        socket.close();
    }

    @Override
    public void close() {
        script.stream().filter(MidBodyReset.class::isInstance).forEach(answer -> ((MidBodyReset) answer).reset());
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we want
        }
    }
}
