package dev.statedoses.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that send pipelined requests and never read the answers hold no thread for long,
 * whatever the route. Once, 300 such sockets took every thread until Jetty's 30 s idle timeout,
 * and the liveness probe went unanswered (a restart, for Kubernetes). Here a small pool of 40
 * threads meets more such sockets than it has threads, each asking for the contract (a route,
 * written with a blocking write, 130 KB) 40 times in one write.
 */
class NonReadingClientsTest {

    private static final ServerLimits SMALL = new ServerLimits(40, 20, Duration.ofSeconds(2), Duration.ofSeconds(10));
    private static final int SOCKETS = 48;
    private static final int PIPELINED = 40;
    private static final int ANSWER_BOUND_MILLIS = 5_000;

    @Test
    void probesAndReadsAnswerAndStuckConnectionsAreClosed() throws Exception {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()), SMALL)) {
            app.given().post("/refresh").then().statusCode(200);
            int contractBytes = app.given().get("/openapi.yaml").asByteArray().length;

            List<Socket> stuck = new ArrayList<>();
            try {
                byte[] requests = ("GET /openapi.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").repeat(PIPELINED)
                    .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < SOCKETS; i++) {
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(4096);
                    socket.connect(new InetSocketAddress("127.0.0.1", app.port()), ANSWER_BOUND_MILLIS);
                    socket.getOutputStream().write(requests);
                    stuck.add(socket);
                }
                long opened = System.nanoTime();
                Thread.sleep(500); // let them fill the routes' threads

                // The probe and the product answer while every route slot is held.
                assertEquals(200, status(app, "/health/live"));
                assertEquals(200, status(app, "/ratios"));
                assertEquals(200, status(app, "/ratios/NY"));
                assertEquals(200, status(app, "/health/ready"));

                // Every stuck connection is closed: 48 sockets, 20 at a time, 2 s each, so within
                // about 6 s; 15 s is the bound. Reading one now gets what the server had sent
                // before it closed, then the end: fewer answers than were asked for. A connection
                // still open would get all 40, then wait for more.
                long waited = Duration.ofSeconds(15).toMillis() - Duration.ofNanos(System.nanoTime() - opened).toMillis();
                Thread.sleep(Math.max(0, waited));
                for (Socket socket : stuck) {
                    long received = drain(socket);
                    assertTrue(received < (long) PIPELINED * contractBytes,
                        "a connection that did not read was still open 15 s later (" + received + " bytes)");
                }
                assertEquals(200, status(app, "/health/live"));
                assertEquals(200, status(app, "/openapi.yaml"));
            } finally {
                for (Socket socket : stuck) {
                    socket.close();
                }
            }
        }
    }

    /**
     * A stall in the last write of an answer ends the connection too. Small answers, pipelined to
     * a client that does not read, fill its buffers in the one write each answer takes, which is
     * also its last: there the servlet layer once took the failed write for a finished answer, and
     * the connection stayed open, silent, for the connector's 30 s (so did the contract's answer,
     * when the buffers filled within its last few hundred bytes).
     */
    @Test
    void aStallInTheLastWriteOfAnAnswerEndsTheConnection() throws Exception {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()), SMALL);
             Socket socket = new Socket()) {
            int answerBytes = app.given().get("/dashboard/shared.js").asByteArray().length;
            int pipelined = 4_000; // several MB of answers: more than any socket buffers
            byte[] requests = "GET /dashboard/shared.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(pipelined)
                .getBytes(StandardCharsets.US_ASCII);
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", app.port()), ANSWER_BOUND_MILLIS);
            // On a thread of its own: the server stops reading requests once its answers stall.
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(requests);
                } catch (IOException closed) {
                    // the server ended the connection first
                }
            });
            writer.start();
            Thread.sleep(SMALL.stalledWrite().toMillis() + 2_000);
            long received = drain(socket);
            assertTrue(received < (long) pipelined * answerBytes, received + " bytes: every answer was sent");
            writer.join(ANSWER_BOUND_MILLIS);
        }
    }

    /** The status of {@code GET path}, which must answer within the bound. */
    private static int status(RunningApp app, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(app.baseUrl() + path).toURL().openConnection();
        connection.setConnectTimeout(ANSWER_BOUND_MILLIS);
        connection.setReadTimeout(ANSWER_BOUND_MILLIS);
        connection.setRequestProperty("Connection", "close");
        try {
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status;
        } catch (SocketTimeoutException e) {
            throw new AssertionError(path + " got no answer within " + ANSWER_BOUND_MILLIS + " ms", e);
        } finally {
            connection.disconnect();
        }
    }

    /** Reads {@code socket} to its end (or a reset); fails if it stays open, silent, for 5 s. */
    private static long drain(Socket socket) throws IOException {
        socket.setSoTimeout(ANSWER_BOUND_MILLIS);
        long total = 0;
        byte[] buffer = new byte[65536];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a connection that did not read was still open (" + total
                + " bytes, then nothing for " + ANSWER_BOUND_MILLIS / 1000 + " s)", e);
        } catch (IOException reset) {
            // the server reset it: closed, too
        }
        return total;
    }
}
