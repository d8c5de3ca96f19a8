package dev.statedoses.ops;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Javalin's request logger: one log line per answered request, and its count and latency in the
 * metrics. It logs the method, the path (never the query string or any header, so no token), the
 * route it matched, the status and the time taken.
 */
final class RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    private static final int MAX_PATH = 300;

    private final Metrics metrics;

    RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    void handle(Context ctx, Float millis) {
        String method = ctx.method().name();
        String route = route(ctx);
        int status = ctx.statusCode();
        float ms = millis == null ? 0f : millis;
        metrics.request(method, route, status, ms);
        if (LOG.isInfoEnabled()) {
            LOG.info("method={} path={} route={} status={} duration_ms={}", method, path(ctx), route, status,
                String.format(Locale.ROOT, "%.1f", ms));
        }
    }

    /** The path template the request matched (such as {@code /ratios/{state}}), or {@link Metrics#UNMATCHED}. */
    static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? Metrics.UNMATCHED : endpoint.path;
    }

    /** The request's path as it came (still percent-encoded: no spaces or line breaks), shortened when long. */
    private static String path(Context ctx) {
        String path = ctx.path();
        return path.length() <= MAX_PATH ? path : path.substring(0, MAX_PATH) + "...";
    }
}
