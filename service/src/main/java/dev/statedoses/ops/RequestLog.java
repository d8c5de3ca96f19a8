package dev.statedoses.ops;

import dev.statedoses.text.Printable;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Javalin's request logger: one log line per answered request, and its count and latency in the
 * metrics. It logs the method, the path (never the query string or any header, so no token), the
 * route it matched, the status and the time taken.
 */
final class RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    /**
     * The path is logged as sent, still percent-encoded, cut when long. Jetty refuses a raw
     * control or non-ASCII character in the request line (400, before any route), so today it is
     * printable ASCII; {@link Printable#shorten} escapes it all the same, so the message itself
     * stays one line for any appender and any Jetty setting, at no cost for an ordinary path.
     */
    private static final int MAX_PATH = 300;

    private final Metrics metrics;

    RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    void handle(Context ctx, Float millis) {
        long nanos = millis == null ? 0 : (long) (millis * 1_000_000.0);
        handle(ctx.method().name(), ctx.path(), route(ctx), ctx.statusCode(), nanos);
    }

    /** The same for a request answered outside Javalin's routes (the snapshot's fast path). */
    void handle(String method, String path, String route, int status, long nanos) {
        metrics.request(method, route, status, nanos);
        if (LOG.isInfoEnabled()) {
            LOG.info("method={} path={} route={} status={} duration_ms={}", method, Printable.shorten(path, MAX_PATH),
                route, status, millis(nanos));
        }
    }

    /** Milliseconds with one decimal, as String.format("%.1f") writes them, without its cost per request. */
    static String millis(long nanos) {
        long tenths = Math.round(nanos / 100_000.0);
        return (tenths / 10) + "." + (tenths % 10);
    }

    /** The path template the request matched (such as {@code /ratios/{state}}), or {@link Metrics#UNMATCHED}. */
    static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? Metrics.UNMATCHED : endpoint.path;
    }
}
