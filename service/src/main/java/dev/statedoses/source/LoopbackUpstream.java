package dev.statedoses.source;

import dev.statedoses.util.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A server of our own on the loopback interface that answers every request with the same body,
 * as an upstream does (200, Content-Length, ETag, Last-Modified, then it closes the connection),
 * so that the sources' client can make real exchanges before the first refresh needs it
 * ({@link SourceFetcher#prepare}, {@link SourceFetcher#readServed}, and the rehearsal of a
 * refresh: dev.statedoses.refresh.Rehearsal). Plain sockets: the image's runtime needs no module beyond
 * java.base for it. It listens on a free port of the loopback address only, answers one
 * connection at a time, and stops listening when closed.
 */
public final class LoopbackUpstream implements AutoCloseable {

    /** A request's head larger than this is not one of ours: the connection is dropped. */
    private static final int MAX_HEAD = 16 * 1024;
    /** How long one connection may take to send its request. */
    private static final int READ_TIMEOUT_MS = 5_000;
    /** How long {@link #close} waits for the thread to end. */
    private static final int CLOSE_WAIT_MS = 1_000;

    private final ServerSocket socket;
    private final byte[] response;
    private final Thread thread;

    private LoopbackUpstream(ServerSocket socket, byte[] body) {
        this.socket = socket;
        String head = "HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/csv\r\n"
            + "Content-Length: " + body.length + "\r\n"
            + "ETag: \"warm-up\"\r\n"
            + "Last-Modified: Mon, 21 Jun 2021 00:00:00 GMT\r\n"
            + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        this.response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        this.thread = DaemonThreads.named("loopback-upstream").newThread(this::serve);
    }

    /** Listens now, on a free port of the loopback address, answering {@code body} to every request. */
    public static LoopbackUpstream serving(byte[] body) throws IOException {
        ServerSocket socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        LoopbackUpstream upstream = new LoopbackUpstream(socket, body);
        upstream.thread.start();
        return upstream;
    }

    /** Where it answers. */
    public URI url() {
        String host = socket.getInetAddress().getHostAddress();
        String authority = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + authority + ":" + socket.getLocalPort() + "/warm-up.csv");
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                connection.setSoTimeout(READ_TIMEOUT_MS);
                if (readHead(connection.getInputStream())) {
                    OutputStream out = connection.getOutputStream();
                    out.write(response);
                    out.flush();
                }
            } catch (IOException e) {
                // Closed (the accept ends), or a client that went away: either way, on to the next.
            }
        }
    }

    /** Reads a request's head up to its blank line: false if it ends or grows too long first. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int read = 0; read < MAX_HEAD; read++) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            // Counts the bytes of "\r\n\r\n" seen in a row.
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    /** Whether its thread still accepts or answers: not after {@link #close}, unless it was answering. */
    boolean serving() {
        return thread.isAlive();
    }

    /**
     * Stops listening, and waits (up to a second) for its thread to end: the JDK closes a socket
     * that a thread is accepting on only once that thread has been woken, and until then the
     * kernel still completes connections to its port. A connection being answered ends with its
     * answer.
     */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a listening socket has nothing to report that matters here.
        }
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
