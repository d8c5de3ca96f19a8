package dev.statedoses.web;

import static io.javalin.apibuilder.ApiBuilder.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

/**
 * Clients that send pipelined requests and never read the answers hold no thread, no route slot
 * and no connection for long, whatever the route and whatever the size of its answers. Once, 300
 * such sockets took every thread until Jetty's 30 s idle timeout, and the liveness probe went
 * unanswered (a restart, for Kubernetes).
 *
 * <p>Where a client's socket buffers run out, and so which write of which answer stalls, is the
 * kernel's to say (about 2.8 MB on loopback here; another kernel, or the same under memory
 * pressure, takes more or less). A stall in an answer's last write was once never cut: the
 * connection stayed open, holding its route slot, for the connector's 30 s. An answer that Jetty
 * writes at once (up to its output buffer, 32 KB) stalls in its last write wherever the buffers
 * run out, so these tests do not depend on the kernel: each socket asks for answers that are one
 * write, or several, and keeps asking (it never runs out of requests before the buffers fill).
 */
class NonReadingClientsTest {

    private static final ServerLimits SMALL = new ServerLimits(40, 20, Duration.ofSeconds(2), Duration.ofSeconds(10));
    private static final int ANSWER_BOUND_MILLIS = 5_000;
    /**
     * Every non-reading connection must be closed within this of its opening. Filling a socket
     * takes from a fraction of a second to a few (small answers take many requests, and 48 sockets
     * share the machine), a stalled write is cut after 2 s, and 48 sockets meet 20 route slots:
     * about 8 s here. A connection the limits fail to cut waits for the connector's idle timeout,
     * 30 s after its write stalled: the bound lies between.
     */
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(20);

    /**
     * The real service, a small pool (40 threads, 20 for the routes, 2 s for a stalled write) and
     * 48 sockets: the probe and the product answer while every route slot is held, and every
     * socket is closed. Its answers: one write each with a declared length (the dashboard's page,
     * a static file; the weekly series, a Javalin result), several writes (the contract, Swagger
     * UI's stylesheet and script), and a length Jetty learns only at the end (the metrics).
     */
    @Test
    void probesAndReadsAnswerAndStuckConnectionsAreClosed() throws Exception {
        // How many sockets ask for each: few for the small answers, which take many requests to fill a socket.
        Map<String, Integer> sockets = new LinkedHashMap<>();
        sockets.put("/", 4);
        sockets.put("/ratios/weekly", 4);
        sockets.put("/metrics", 2);
        sockets.put("/openapi.yaml", 14);
        sockets.put("/docs/assets/swagger-ui.css", 12);
        sockets.put("/docs/assets/swagger-ui-bundle.js", 12);
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()), SMALL)) {
            app.given().post("/refresh").then().statusCode(200);
            for (String path : sockets.keySet()) {
                app.given().get(path).then().statusCode(200); // each is an answer, not a 404
            }

            List<NonReader> stuck = new ArrayList<>();
            try {
                long opened = System.nanoTime();
                for (Map.Entry<String, Integer> path : sockets.entrySet()) {
                    for (int i = 0; i < path.getValue(); i++) {
                        stuck.add(new NonReader(app.port(), path.getKey()));
                    }
                }
                Thread.sleep(500); // let them fill the routes' slots

                // The probe and the product answer while every route slot is held.
                assertEquals(200, status(app.baseUrl(), "/health/live"));
                assertEquals(200, status(app.baseUrl(), "/ratios"));
                assertEquals(200, status(app.baseUrl(), "/ratios/NY"));
                assertEquals(200, status(app.baseUrl(), "/health/ready"));

                assertAllClosed(stuck, opened);
                assertEquals(200, status(app.baseUrl(), "/health/live"));
                assertEquals(200, status(app.baseUrl(), "/openapi.yaml"));
            } finally {
                stuck.forEach(NonReader::close);
            }
        }
    }

    /**
     * Answers of every size around the boundary where the stall falls in an answer's last write:
     * Jetty writes an answer of up to one output buffer in one write, and a larger one a buffer at
     * a time, the rest last. The sizes are made from the server's own output buffer size: just
     * under, at and over one, two and three buffers, and a quarter of one; each with its length
     * declared (as a static file or a Javalin result: the last write is the one that reaches it)
     * and without (the last write is the close). One socket per answer, on ServerLimits wired as
     * App wires it, around a route that answers that many bytes. Before, every answer of one
     * write with a declared length kept its connection and its route slot for 30 s.
     */
    @Test
    void everySizeOfAnswerIsCutWhenItsWriteStalls() throws Exception {
        Javalin app = bytesApp(SMALL);
        List<NonReader> stuck = new ArrayList<>();
        try {
            String base = "http://127.0.0.1:" + app.port();
            int buffer = outputBufferSize(app.jettyServer().server());
            TreeSet<Integer> sizes = new TreeSet<>(List.of(buffer / 4, 3 * buffer));
            for (int buffers = 1; buffers <= 3; buffers++) {
                sizes.addAll(List.of(buffers * buffer - 1, buffers * buffer, buffers * buffer + 1));
            }
            assertTrue(2 * sizes.size() <= SMALL.routeRequests(), "one route slot for each socket: " + sizes);
            long opened = System.nanoTime();
            for (int size : sizes) {
                stuck.add(new NonReader(app.port(), "/bytes/" + size + "?length=declared"));
                stuck.add(new NonReader(app.port(), "/bytes/" + size + "?length=streamed"));
            }
            assertAllClosed(stuck, opened);
            // Every route slot is back.
            for (int i = 0; i < SMALL.routeRequests() + 1; i++) {
                assertEquals(200, status(base, "/bytes/" + buffer + "?length=declared"));
            }
        } finally {
            stuck.forEach(NonReader::close);
            app.stop();
        }
    }

    /**
     * The short timeout is only for a write that waits: once the write completes, the connection
     * has the connector's idle timeout (30 s) again. A client reads a 16 MB answer late (its
     * socket buffers full, the server's write waiting, but for less than the 1 s allowed), then
     * leaves its connection idle for 2.5 s and asks again on it: the connection must still be open.
     * Were the short timeout left in place, the server would have closed it after 1 s.
     */
    @Test
    void aWriteThatWaitedLeavesTheConnectionItsIdleTimeout() throws Exception {
        ServerLimits limits = new ServerLimits(40, 20, Duration.ofSeconds(1), Duration.ofSeconds(10));
        Javalin app = bytesApp(limits);
        int size = 16 << 20;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.setSoTimeout(ANSWER_BOUND_MILLIS);
            socket.connect(new InetSocketAddress("127.0.0.1", app.port()), ANSWER_BOUND_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String ask = "GET /bytes/" + size + "?length=declared HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            out.write(ask.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300); // the socket buffers fill: the server's write waits
            assertEquals(size, answerLength(in), "the whole answer, read late");
            Thread.sleep(2_500);
            out.write("GET /bytes/10?length=declared HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(10, answerLength(in), "answered on the same connection, idle for 2.5 s");
        } finally {
            app.stop();
        }
    }

    /** Reads one answer's head and its body (Content-Length bytes) from {@code in}: the body's length. */
    private static int answerLength(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the server closed the connection; head so far: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
        int length = head.toString().lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
            .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElseThrow();
        int read = 0;
        byte[] buffer = new byte[1 << 16];
        while (read < length) {
            int n = in.read(buffer, 0, Math.min(buffer.length, length - read));
            if (n < 0) {
                throw new AssertionError("the body ended after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return read;
    }

    /** A server with {@code limits} wired as App wires them, around a route that answers that many bytes. */
    private static Javalin bytesApp(ServerLimits limits) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.threadPool = limits.threadPool();
            config.jetty.modifyServer(server -> {
                limits.limitRoutes(server);
                server.insertHandler(limits.boundStalledWrites());
            });
            config.routes.apiBuilder(() -> get("/bytes/{count}", ctx -> {
                byte[] bytes = new byte[Integer.parseInt(ctx.pathParam("count"))];
                if ("declared".equals(ctx.queryParam("length"))) {
                    ctx.header("Content-Length", Integer.toString(bytes.length));
                    ctx.result(bytes);
                } else {
                    ctx.result(new ByteArrayInputStream(bytes));
                }
            }));
        }).start("127.0.0.1", 0);
    }

    private static int outputBufferSize(Server server) {
        return server.getConnectors()[0].getConnectionFactory(HttpConnectionFactory.class)
            .getHttpConfiguration().getOutputBufferSize();
    }

    /** Each of {@code stuck} is closed by the server within {@link #CLOSED_WITHIN} of {@code opened}. */
    private static void assertAllClosed(List<NonReader> stuck, long opened) throws InterruptedException {
        long deadline = opened + CLOSED_WITHIN.toNanos();
        List<String> open = new ArrayList<>();
        for (NonReader socket : stuck) {
            if (!socket.closedBy(deadline)) {
                open.add(socket.path);
            }
        }
        assertTrue(open.isEmpty(), open.size() + " of " + stuck.size() + " connections that did not read were still open "
            + CLOSED_WITHIN.toSeconds() + " s later, asking for " + new TreeSet<>(open));
    }

    /**
     * A client that asks for {@code path} again and again on one connection, pipelined, and never
     * reads an answer, from its own thread, until the server closes the connection (its next
     * write then fails). It asks for as long as it takes to fill the socket buffers, however large
     * the kernel makes them. Its receive buffer is small, so the server's send buffer is most of
     * what the answers fill.
     */
    private static final class NonReader {

        private final String path;
        private final Socket socket = new Socket();
        private final CountDownLatch closed = new CountDownLatch(1);

        NonReader(int port, String path) throws IOException {
            this.path = path;
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), ANSWER_BOUND_MILLIS);
            byte[] requests = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").repeat(16)
                .getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        out.write(requests);
                    }
                } catch (IOException e) {
                    closed.countDown(); // reset or closed by the server (or by close(), at the end)
                }
            }, "non-reader " + path);
            writer.setDaemon(true);
            writer.start();
        }

        /** Whether the server closed the connection by {@code deadline} (a System.nanoTime()). */
        boolean closedBy(long deadline) throws InterruptedException {
            return closed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    /** The status of {@code GET path}, which must answer within the bound. */
    private static int status(String baseUrl, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(baseUrl + path).toURL().openConnection();
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
}
