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

    /** Resets the connection at once: no status line. */
    public static Answer resetAtOnce() {
        return RawUpstream::reset;
    }

    /** Sends the headers (with the whole length) and the first {@code sent} bytes of the body, then resets. */
    public static Answer resetAfter(byte[] body, int sent) {
        return resetAfter(body, sent, "");
    }

    /** As {@link #resetAfter(byte[], int)}, with {@code extraHeaders} (CRLF-separated lines). */
    public static Answer resetAfter(byte[] body, int sent, String extraHeaders) {
        return socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(head(200, body.length, extraHeaders));
            out.write(body, 0, sent);
            out.flush();
            reset(socket);
        };
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
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we want
        }
    }
}
