package dev.statedoses.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real HTTP server on a loopback port that plays the sources' upstream: it serves fixture bytes,
 * files, or an error status, per path. The service fetches from it over real HTTP.
 */
public final class FixtureServer implements AutoCloseable {

    private record Response(int status, String contentType, byte[] body, Path file) {
    }

    private final HttpServer server;
    private final Map<String, Response> responses = new ConcurrentHashMap<>();

    private FixtureServer(HttpServer server) {
        this.server = server;
    }

    public static FixtureServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FixtureServer fixtures = new FixtureServer(server);
            server.createContext("/", fixtures::handle);
            server.start();
            return fixtures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves bytes with 200 at {@code path}; returns its URL. */
    public URI serve(String path, byte[] body) {
        responses.put(path, new Response(200, "text/csv", body, null));
        return url(path);
    }

    /** Serves a test resource under {@code fixtures/} with 200 at {@code path}. */
    public URI serveFixture(String path, String fixture) {
        return serve(path, Fixtures.bytes(fixture));
    }

    /** Streams a file from disk with 200 at {@code path}. */
    public URI serveFile(String path, Path file) {
        responses.put(path, new Response(200, "text/csv", null, file));
        return url(path);
    }

    /** Answers {@code status} with a body at {@code path}. */
    public URI serveStatus(String path, int status, String contentType, String body) {
        responses.put(path, new Response(status, contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), null));
        return url(path);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response = responses.get(exchange.getRequestURI().getPath());
            if (response == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            if (response.file() != null) {
                exchange.sendResponseHeaders(response.status(), Files.size(response.file()));
                try (InputStream in = Files.newInputStream(response.file()); OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            } else {
                exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
