package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statedoses.Wiring;
import dev.statedoses.ops.EveryResponse;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.web.CrossOrigin;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The snapshot's fast path: which requests it answers (the rest must reach the routes), and that
 * what it answers is byte for byte what the routes answer. The fixture product is loaded into a
 * real warehouse; the fast path runs in a real Jetty, behind the outermost handler and in front
 * of a stand-in for the routes that answers 418, so every request shows which of the two answered it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotReadsTest {

    private static final String ROUTES = "the routes";

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    private Server server;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private URI base;

    @BeforeAll
    void start() throws Exception {
        ProductCache product = new ProductCache(loaded.app().wiring().ratios(),
            new ProductResponse(Wiring.objectMapper()));
        product.reload();
        SnapshotReads reads = new SnapshotReads(product, EveryResponse::answered, CrossOrigin.allowing(List.of("*")));
        reads.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
                response.setStatus(418);
                response.write(true, ByteBuffer.wrap(ROUTES.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // In front, as in the app: it logs (here, lists) what the fast path answered.
        EveryResponse every = new EveryResponse(
            (method, path, route, status, nanos) -> logged.add(method + " " + path + " " + route + " " + status));
        every.setHandler(reads);
        server.setHandler(every);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /ratios,             /ratios,         '\"state\":\"Alabama\"'",
        "GET, /ratios/NY,          /ratios/{state}, '\"people_per_dose\":0.8000'",
        "GET, /ratios/vt,          /ratios/{state}, '\"state_code\":\"VT\"'",
        "GET, /ratios/New%20York,  /ratios/{state}, '\"state\":\"New York\"'",
        "GET, /ratios/%20il%20,    /ratios/{state}, '\"state_code\":\"IL\"'",
        "GET, /ratios/district%20of%20columbia, /ratios/{state}, '\"state_code\":\"DC\"'",
    })
    void answersTheProductReadsItself(String method, String path, String route, String excerpt) throws Exception {
        logged.clear();
        HttpResponse<String> answer = send(method, path);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(true, answer.body().contains(excerpt), answer.body());
        assertEquals(List.of(method + " " + path + " " + route + " 200"), loggedSoon(1), "one request log line");
    }

    /** The log lines so far, once there are {@code lines} (the line is written after the answer is sent). */
    private List<String> loggedSoon(int lines) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (logged.size() < lines && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return List.copyOf(logged);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET,  /ratios?format=csv",
        "GET,  /ratios?sort=population",
        "GET,  /ratios/NY?as_of=2021-01-04",
        "GET,  /ratios/",
        "GET,  /ratios/NY/weekly",
        "GET,  /ratios/XX",
        "GET,  /ratios/Atlantis",
        "GET,  /ratios/Guam",
        "GET,  /ratios/N%2FY",
        "GET,  /ratios/N;Y",
        "GET,  /ratios/..",
        "GET,  /ratios/.",
        "GET,  /ratios/%4E%59%21",
        "GET,  /ratiosNY",
        "GET,  /health",
        "HEAD, /ratios",
        "POST, /ratios",
        "DELETE, /ratios/NY",
    })
    void leavesEveryOtherRequestToTheRoutes(String method, String path) throws Exception {
        logged.clear();
        HttpResponse<String> answer = send(method, path);
        if (answer.statusCode() == 400) {
            // Jetty itself refuses some of these (%2F) before any handler: the routes would too.
            assertEquals(List.of(), logged);
            return;
        }
        assertEquals(418, answer.statusCode(), method + " " + path + " was answered by the fast path");
        if (!"HEAD".equals(method)) {
            assertEquals(ROUTES, answer.body());
        }
        assertEquals(List.of(), logged, "the routes log their own requests");
    }

    @Test
    void conditionalRequestsGet304WithTheSameValidators() throws Exception {
        HttpResponse<String> first = send("GET", "/ratios/NY", "Accept", "text/csv");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();

        HttpResponse<String> byEtag = send("GET", "/ratios/NY", "Accept", "text/csv", "If-None-Match", "W/" + etag);
        assertEquals(304, byEtag.statusCode());
        assertEquals("", byEtag.body());
        assertEquals(etag, byEtag.headers().firstValue("ETag").orElseThrow());
        assertEquals(ProductResponse.CSV, byEtag.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<String> byDate = send("GET", "/ratios/NY", "Accept", "text/csv", "If-Modified-Since",
            lastModified);
        assertEquals(304, byDate.statusCode());
        // The JSON body has another ETag: its validator does not match the CSV's.
        assertEquals(200, send("GET", "/ratios/NY", "If-None-Match", etag).statusCode());
    }

    /**
     * Through the real app: the fast path's answer and the route's (the same request with a query
     * string, which the fast path leaves alone) are the same bytes under the same headers.
     */
    @ParameterizedTest(name = "{0} (Accept {1}) = {2}")
    @CsvSource({
        "/ratios,            application/json, /ratios?format=json",
        "/ratios,            text/csv,         /ratios?format=csv",
        "/ratios/NY,         application/json, /ratios/NY?format=json",
        "/ratios/New%20York, text/csv,         /ratios/New%20York?format=csv",
    })
    void answersExactlyAsTheRoutesDo(String fast, String accept, String route) {
        // The paths are written percent-encoded already: rest-assured must send them as they are.
        Response viaSnapshot = loaded.given().urlEncodingEnabled(false).header("Accept", accept).get(fast);
        Response viaRoute = loaded.given().urlEncodingEnabled(false).get(route);
        assertEquals(200, viaSnapshot.statusCode());
        assertEquals(viaRoute.statusCode(), viaSnapshot.statusCode());
        assertArrayEquals(viaRoute.asByteArray(), viaSnapshot.asByteArray());
        for (String header : List.of("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary",
                "X-Content-Type-Options")) {
            assertNotNull(viaRoute.header(header), header);
            assertEquals(viaRoute.header(header), viaSnapshot.header(header), header);
        }
        // The fast path always says how long its body is.
        assertEquals(Integer.toString(viaSnapshot.asByteArray().length), viaSnapshot.header("Content-Length"));
        assertNull(viaSnapshot.header("Transfer-Encoding"));
    }

    @Test
    void metricsCountFastReads() {
        double before = fastReadsCounted();
        for (int i = 0; i < 3; i++) {
            loaded.given().get("/ratios/VT").then().statusCode(200);
        }
        assertEquals(before + 3, fastReadsCounted());
    }

    /** http_server_requests_seconds_count of GET /ratios/{state} 200, from GET /metrics. */
    private double fastReadsCounted() {
        String metrics = loaded.given().get("/metrics").asString();
        return metrics.lines()
            .filter(line -> line.startsWith("http_server_requests_seconds_count{")
                && line.contains("route=\"/ratios/{state}\"") && line.contains("status=\"200\"")
                && line.contains("method=\"GET\""))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .findFirst().orElse(0);
    }
}
