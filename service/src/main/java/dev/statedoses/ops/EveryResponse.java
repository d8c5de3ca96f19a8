package dev.statedoses.ops;

import dev.statedoses.web.BodilessAnswers;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What every response gets, in one place: the headers every answer carries, and for every
 * request a route answered, its time, one request log line and the request metric. The outermost
 * handler in Jetty, in front of both ways of answering, the snapshot's fast path and Javalin's
 * routes, so the two cannot differ; Jetty's own error answers get the same headers through
 * {@link #withHeaders}.
 *
 * <p>Whoever answers says which route it was ({@link #answered}; from Javalin, {@link #routed}).
 * A request no route answered, one Jetty refused first (a malformed path), is neither logged nor
 * counted: its answer is Jetty's problem detail. Nor is the warm-up's (on a connector of its own).
 */
public final class EveryResponse extends Handler.Wrapper {

    /** Every answer: browsers take the Content-Type sent, and never guess another from the bytes. */
    private static final List<HttpField> HEADERS = List.of(
        new PreEncodedHttpField("X-Content-Type-Options", "nosniff"));

    /** The request attribute under which a request's {@link Answer} waits to hear its route. */
    private static final String ANSWER = EveryResponse.class.getName();

    /** Writes one answered request's log line and metric ({@link RequestLog}). */
    @FunctionalInterface
    public interface Record {
        void request(String method, String path, String route, int status, long nanos);
    }

    /** Who answered a request: the method and route template, as the answering side says them. */
    private static final class Answer {
        private volatile String method;
        private volatile String route;
    }

    private final Record record;

    public EveryResponse(Record record) {
        this.record = record;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        HEADERS.forEach(response.getHeaders()::put);
        Answer answer = new Answer();
        // The warm-up's own requests (dev.statedoses.WarmUp#routes), on an in-memory connector no
        // client can reach, are no one's: neither logged nor counted.
        if (!(request.getConnectionMetaData().getConnector() instanceof LocalConnector)) {
            request.setAttribute(ANSWER, answer);
        }
        // A 304 without Content-Length: 0, a 204 without Content-Type (BodilessAnswers says why).
        return super.handle(request, new BodilessAnswers(request, response), new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                done();
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                done();
                super.failed(failure);
            }

            private void done() {
                if (answer.route != null) {
                    // The path as sent (percent-encoded), never the query string.
                    record.request(answer.method, request.getHttpURI().getPath(), answer.route,
                        response.getStatus(), System.nanoTime() - start);
                }
            }
        });
    }

    /** Says that {@code route} (a path template such as {@code /ratios/{state}}) answers the request. */
    public static void answered(Request request, String method, String route) {
        if (request.getAttribute(ANSWER) instanceof Answer answer) {
            answer.method = method;
            answer.route = route;
        }
    }

    /**
     * For Javalin's request logger ({@code config.requestLogger.http}): the route template it
     * matched; for a 405, the template of the path the other methods take
     * ({@code otherMethods}: a real path, which was counted with the 404s of no path at all);
     * else {@link Metrics#UNMATCHED}. Javalin's own timing is not used, this handler's is.
     */
    public static void routed(Context ctx, Function<String, Optional<String>> otherMethods) {
        if (ctx.req().getAttribute(ANSWER) instanceof Answer answer) {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            answer.method = ctx.method().name();
            answer.route = endpoint != null ? endpoint.path
                : ctx.statusCode() == 405 ? otherMethods.apply(ctx.path()).orElse(Metrics.UNMATCHED)
                : Metrics.UNMATCHED;
        }
    }

    /** {@code handler}, with the headers every answer carries: for Jetty's error handler. */
    public static Request.Handler withHeaders(Request.Handler handler) {
        return (request, response, callback) -> {
            HEADERS.forEach(response.getHeaders()::put);
            return handler.handle(request, response, callback);
        };
    }
}
