package dev.statedoses.ops;

import dev.statedoses.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per answered request, and its count and latency in the metrics ({@link EveryResponse}
 * times the request and calls it). It logs the method, the path (never the query string or any
 * header, so no token), the route it matched, the status and the time taken.
 */
final class RequestLog implements EveryResponse.Record {

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

    @Override
    public void request(String method, String path, String route, int status, long nanos) {
        metrics.request(method, route, status, nanos);
        if (LOG.isInfoEnabled()) {
            // Made here, and logged as a message without arguments: SLF4J's formatting of five
            // arguments built a map and a builder of its own for each line.
            LOG.info("method=" + method + " path=" + Printable.shorten(path, MAX_PATH) + " route=" + route + " status="
                + status + " duration_ms=" + millis(nanos));
        }
    }

    /** Milliseconds with one decimal, as String.format("%.1f") writes them, without its cost per request. */
    static String millis(long nanos) {
        long tenths = Math.round(nanos / 100_000.0);
        return (tenths / 10) + "." + (tenths % 10);
    }
}
