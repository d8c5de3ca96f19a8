package dev.statedoses.support;

import com.sun.net.httpserver.HttpExchange;
import dev.statedoses.Config;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a loopback port that plays the sources' upstream, per path: fixture bytes,
 * files, an error status, or a misbehaving upstream (slow, stalled, cut off). The service fetches
 * from it over real HTTP.
 */
public final class FixtureServer implements AutoCloseable {

    /** What the upstream does for one path. */
    @FunctionalInterface
    public interface Behaviour {
        void respond(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();

    private FixtureServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static FixtureServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            // A thread per request: a stalled response must not hold up the others.
            ExecutorService threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "fixture-upstream");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(threads);
            FixtureServer fixtures = new FixtureServer(server, threads);
            server.createContext("/", fixtures::handle);
            server.start();
            return fixtures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI serve(String path, Behaviour behaviour) {
        behaviours.put(path, behaviour);
        return url(path);
    }

    /**
     * A source at {@code path} that answers nothing (no headers) until {@code released}, counting
     * {@code asked} down when it is asked for; then a bare 503.
     */
    public URI serveSilently(String path, CountDownLatch asked, CountDownLatch released) {
        return serve(path, exchange -> {
            asked.countDown();
            released.await(60, TimeUnit.SECONDS);
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
    }

    /** Serves bytes with 200 at {@code path}; returns its URL. */
    public URI serve(String path, byte[] body) {
        return serve(path, exchange -> send(exchange, 200, "text/csv", body));
    }

    /** Serves a test resource under {@code fixtures/} with 200 at {@code path}. */
    public URI serveFixture(String path, String fixture) {
        return serve(path, Fixtures.bytes(fixture));
    }

    /** Serves the three hand-written fixtures (fixtures/README.md) and points {@code config} at them. */
    public Config serveFixtureSources(Config config) {
        return ConfigBuilder.from(config).sources(
            serveFixture("/moderna.csv", "moderna.csv"),
            serveFixture("/pfizer.csv", "pfizer.csv"),
            serveFixture("/County_Population.csv", "county_population.csv")).build();
    }

    /**
     * A new database's configuration with its sources at /m.csv, /p.csv and /c.csv here, for a test
     * that serves its own variants there (serve(path, ...)) between refreshes.
     */
    public Config sourcesOnNewDatabase() {
        return ConfigBuilder.from(TestWarehouse.newDatabase()).sources(url("/m.csv"), url("/p.csv"), url("/c.csv"))
            .build();
    }

    /** Streams a file from disk with 200 at {@code path}. */
    public URI serveFile(String path, Path file) {
        return serve(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, Files.size(file));
            try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            }
        });
    }

    /** Answers {@code status} with a body at {@code path}. */
    public URI serveStatus(String path, int status, String contentType, String body) {
        return serve(path, exchange -> send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Waits {@code delay} before even sending the status line. */
    public URI serveAfter(String path, Duration delay, byte[] body) {
        return serve(path, exchange -> {
            Thread.sleep(delay.toMillis());
            send(exchange, 200, "text/csv", body);
        });
    }

    /** Sends the headers at once, then the body in {@code chunks} pieces with {@code pause} between them. */
    public URI serveTrickling(String path, byte[] body, int chunks, Duration pause) {
        return serve(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                int size = (body.length + chunks - 1) / chunks;
                for (int from = 0; from < body.length; from += size) {
                    out.write(body, from, Math.min(size, body.length - from));
                    out.flush();
                    Thread.sleep(pause.toMillis());
                }
            }
        });
    }

    /** Promises the whole body (Content-Length) but sends only its first {@code sent} bytes, then drops the connection. */
    public URI serveCutOff(String path, byte[] body, int sent) {
        return serve(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(Arrays.copyOf(body, sent));
            out.flush();
            // Closing the exchange early makes the server drop the connection mid-body.
            exchange.close();
        });
    }

    /**
     * Sends the headers and the first half of the body, then holds the rest until released: a
     * refresh fetching it stays in flight for as long as a test needs.
     */
    public Hold serveHeld(String path, byte[] body) {
        Hold hold = new Hold(url(path));
        serve(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, 0, body.length / 2);
                out.flush();
                hold.requested.countDown();
                hold.released.await(60, TimeUnit.SECONDS);
                out.write(body, body.length / 2, body.length - body.length / 2);
            }
        });
        return hold;
    }

    /** A held response: {@link #awaitRequested()} once it is in flight, {@link #release()} to finish it. */
    public static final class Hold {
        private final URI url;
        private final CountDownLatch requested = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Hold(URI url) {
            this.url = url;
        }

        public URI url() {
            return url;
        }

        public void awaitRequested() throws InterruptedException {
            if (!requested.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("nobody fetched " + url);
            }
        }

        public void release() {
            released.countDown();
        }
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Behaviour behaviour = behaviours.get(exchange.getRequestURI().getPath());
            if (behaviour == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            behaviour.respond(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
