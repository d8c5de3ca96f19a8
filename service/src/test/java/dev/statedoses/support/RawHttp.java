package dev.statedoses.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for the requests no HTTP client sends as written: a raw control
 * or non-ASCII character in the request line (rest-assured, through java.net.URI, refuses it or
 * encodes it), or a target over the server's limit (the server answers 414 and closes while the
 * client still writes, and the client reports the broken pipe instead of the answer). Each request
 * has a connection of its own ({@code Connection: close}); the answer is read until the server
 * closes, waiting at most 10 s for each read. The server side of such faults is {@link RawUpstream}.
 */
public final class RawHttp {

    private static final int TIMEOUT_MILLIS = 10_000;
    /** How many times a request whose answer a reset threw away is sent ({@link #send(byte[])}). */
    private static final int ATTEMPTS = 8;

    private final String host;
    private final int port;

    public RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** To the service {@code app} on 127.0.0.1. */
    public static RawHttp to(RunningApp app) {
        return new RawHttp("127.0.0.1", app.port());
    }

    /** {@code GET target}, the target sent exactly as given (as UTF-8). */
    public Answer get(String target) throws IOException {
        return send("GET " + target + " HTTP/1.1");
    }

    /** {@code requestLine} as written (as UTF-8), then {@code Host} and {@code Connection: close}. */
    public Answer send(String requestLine) throws IOException {
        return send((requestLine + "\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code method target} with {@code headerLines} as written, each on a line of its own and in
     * this order (a header given twice is sent as two lines), then {@code Host} and
     * {@code Connection: close}.
     */
    public Answer send(String method, String target, List<String> headerLines) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        head.append("Host: ").append(host).append("\r\nConnection: close\r\n\r\n");
        return send(head.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code request}, byte for byte, and reads the answer: also when the write fails because
     * the server answered and closed before it read the whole request.
     *
     * <p>Such a close, with bytes of ours unread on the server's side (a request over its limits,
     * rejected after its first part), makes the server's kernel reset the connection, and a reset
     * that reaches ours before the answer is read throws the answer away: whole (the read finds
     * nothing), its start (the read begins inside it), or as a reset read. Our write may fail on
     * the reset or may already have gone into our kernel's buffer, so a cut write does not tell
     * (CI runs saw all three outcomes, with and without one). Which comes first is the machines'
     * race, not the server's choice, so an exchange that read no status line, or whose read was
     * reset, is asked again, after a pause that grows with each attempt (a loaded machine's burst
     * passes), up to {@link #ATTEMPTS} times. The last attempt's outcome stands, and its failure
     * names what each attempt read: a server that never answers still fails every test.
     */
    public Answer send(byte[] request) throws IOException {
        List<String> attempts = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                Exchange exchange = exchange(request);
                if (exchange.text().startsWith("HTTP/") || attempt == ATTEMPTS) {
                    return Answer.parse(exchange.text());
                }
                attempts.add(exchange.describe());
            } catch (SocketException e) {
                if (attempt == ATTEMPTS) {
                    throw new SocketException(e.getMessage() + " (after " + attempts + ")");
                }
                attempts.add("reset read: " + e.getMessage());
            } catch (IOException e) {
                throw attempts.isEmpty() ? e : new IOException(e.getMessage() + " (after " + attempts + ")", e);
            }
            pause(attempt);
        }
        throw new AssertionError("unreachable: the last attempt returns or throws");
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(20L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted between attempts");
        }
    }

    /** What one connection read back, and whether the write was cut (the server closed first). */
    private record Exchange(byte[] answer, boolean cut) {

        String text() {
            return new String(answer, StandardCharsets.UTF_8);
        }

        /** For a failure's message: the write's fate and what the read found. */
        String describe() {
            return (cut ? "cut write, " : "whole write, ") + (answer.length == 0 ? "nothing read"
                : answer.length + " bytes read without a status line");
        }
    }

    private Exchange exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            boolean cut = false;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            } catch (IOException e) {
                cut = true; // the server answered and closed before it read the whole request: read the answer
            }
            return new Exchange(socket.getInputStream().readAllBytes(), cut);
        }
    }

    /**
     * What the server answered: its status line, its headers (by lower-case name; a repeated one
     * keeps its last value), every header line as sent, in order, and its body as sent (UTF-8, not
     * de-chunked).
     */
    public record Answer(String statusLine, Map<String, String> headers, List<String> headerLines, String body) {

        public static Answer parse(String text) throws IOException {
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0) {
                String oneLine = text.replace('\n', ' ');
                throw new IOException("not an HTTP answer: "
                    + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine));
            }
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new HashMap<>();
            List<String> headerLines = List.of(lines).subList(1, lines.length);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
                }
            }
            return new Answer(lines[0], Map.copyOf(headers), headerLines, text.substring(end + 4));
        }

        public int status() {
            return Integer.parseInt(statusLine.substring(9, 12));
        }

        /** The value of the header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
