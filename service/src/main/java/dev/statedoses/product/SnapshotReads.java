package dev.statedoses.product;

import dev.statedoses.product.ProductResponse.Conditions;
import dev.statedoses.product.ProductResponse.Prepared;
import dev.statedoses.product.ProductResponse.Reply;
import dev.statedoses.web.CrossOrigin;
import dev.statedoses.web.HeaderLines;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;

/**
 * The two reads dashboards poll, {@code GET /ratios} and {@code GET /ratios/{state}} without a
 * query string, answered from the snapshot's prepared bytes in Jetty itself, before Javalin's
 * servlet pipeline. Measured on 2 cores (bench/reads.sh), that pipeline alone held
 * the service to under half of nginx's requests per second serving the same bytes; plain Jetty
 * reaches about 0.7 of it.
 *
 * <p>It answers only what it answers exactly as the Javalin route would (the same
 * {@link ProductResponse#reply}, the same headers; the outermost handler, ops.EveryResponse, gives
 * it the same common headers, request log line and metric as the routes): a GET
 * of {@code /ratios}, or of {@code /ratios/<code or name>} for a state the snapshot holds. Every
 * other request, a query string, HEAD, an unknown or malformed state, a trailing slash, goes on
 * to the routes in {@code App}, which stay the one place that defines the API.
 */
public final class SnapshotReads extends Handler.Wrapper {

    /**
     * Says which route answered a request, before its answer is sent: the outermost handler
     * (ops.EveryResponse) then logs and counts it as it logs and counts the routes' answers.
     */
    @FunctionalInterface
    public interface Answered {
        void by(Request request, String method, String route);
    }

    private static final String LIST = "/ratios";
    private static final String ONE_PREFIX = "/ratios/";
    private static final String ONE_ROUTE = "/ratios/{state}";

    private final ProductCache product;
    private final Answered answered;
    private final CrossOrigin crossOrigin;
    private final AnswerDate dates = new AnswerDate();
    /**
     * Each 200 answer of the current snapshot as it goes on the wire, made at its first request
     * (and again when its Last-Modified comes or goes): keyed by its body (the array, by identity:
     * one per prepared body and format), emptied when the snapshot changes. See {@link Wire}.
     */
    private final Map<byte[], Wire> wires = new ConcurrentHashMap<>();
    private volatile ProductSnapshot wiredFor;

    public SnapshotReads(ProductCache product, Answered answered, CrossOrigin crossOrigin) {
        this.product = product;
        this.answered = answered;
        this.crossOrigin = crossOrigin;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpURI uri = request.getHttpURI();
        if (!"GET".equals(request.getMethod()) || uri.getQuery() != null) {
            return super.handle(request, response, callback);
        }
        String path = uri.getPath();
        String route;
        Prepared prepared;
        if (LIST.equals(path)) {
            route = LIST;
            prepared = product.current().all();
        } else if (path.startsWith(ONE_PREFIX) && !uri.hasViolations()) {
            route = ONE_ROUTE;
            prepared = state(path.substring(ONE_PREFIX.length())).orElse(null);
        } else {
            route = null;
            prepared = null;
        }
        if (prepared == null) {
            return super.handle(request, response, callback);
        }

        HttpFields headers = request.getHeaders();
        if (headers.contains(HttpHeader.IF_MATCH) || headers.contains(HttpHeader.IF_UNMODIFIED_SINCE)) {
            // A 412 is a problem, which the routes answer.
            return super.handle(request, response, callback);
        }
        Reply reply = ProductResponse.reply(dates, prepared, null, HeaderLines.joined(headers, "Accept"),
            Conditions.revalidating(HeaderLines.joined(headers, "If-None-Match"),
                HeaderLines.joined(headers, "If-Modified-Since")));
        HttpFields.Mutable out = response.getHeaders();
        response.setStatus(reply.status());
        answered.by(request, "GET", route);
        if (reply.notModified()) {
            out.put(HttpHeader.CONTENT_TYPE, reply.contentType());
            reply.headers(out::put);
            // As App's after-handler adds them.
            crossOrigin.readHeaders(HeaderLines.joined(headers, "Origin"), out::add);
            response.write(true, null, callback);
        } else {
            Wire wire = wire(reply);
            wire.headers().forEach(out::put);
            reply.date(out::put);
            crossOrigin.readHeaders(HeaderLines.joined(headers, "Origin"), out::add);
            response.write(true, wire.body().slice(), callback);
        }
        return true;
    }

    /**
     * A 200 answer made ready for the wire once, rather than at each request: its headers encoded
     * (Jetty copies a {@link PreEncodedHttpField}'s bytes as they are), and its body in a direct
     * buffer, which the socket takes as it is: a heap array is first copied into a temporary
     * direct buffer at each write (a few per cent of the fast path's CPU in a JFR profile under
     * bench/reads.sh).
     */
    private record Wire(List<HttpField> headers, ByteBuffer body, String lastModified) {

        static Wire of(Reply reply) {
            List<HttpField> headers = new ArrayList<>();
            headers.add(new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, reply.contentType()));
            reply.lasting((name, value) -> headers.add(new PreEncodedHttpField(name, value)));
            headers.add(new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(reply.body().length)));
            ByteBuffer body = ByteBuffer.allocateDirect(reply.body().length).put(reply.body()).flip();
            return new Wire(List.copyOf(headers), body.asReadOnlyBuffer(), reply.lastModified());
        }
    }

    private Wire wire(Reply reply) {
        ProductSnapshot current = product.current();
        if (current != wiredFor) {
            // A new snapshot: the old one's answers are never asked for again.
            wires.clear();
            wiredFor = current;
        }
        Wire wire = wires.get(reply.body());
        // Last-Modified is left out while it is ahead of this process's clock (LastModified): the
        // same body may be answered without it, then with it.
        if (wire == null || !Objects.equals(wire.lastModified(), reply.lastModified())) {
            wire = Wire.of(reply);
            wires.put(reply.body(), wire);
        }
        return wire;
    }

    /**
     * The prepared answer for the path segment {@code raw} (as sent, percent-encoded), or empty
     * when the route must answer: a further segment, a dot segment, a malformed key, a state not
     * held. Decoded, the key is what Javalin's {@code {state}} would be.
     */
    private Optional<Prepared> state(String raw) {
        if (raw.indexOf('/') >= 0 || raw.indexOf(';') >= 0 || raw.startsWith(".")) {
            return Optional.empty();
        }
        String key;
        try {
            key = URIUtil.decodePath(raw);
        } catch (RuntimeException malformed) {
            return Optional.empty(); // Javalin and Jetty say what is wrong with it
        }
        String trimmed = StateKey.trim(key);
        if (!StateKey.isValid(trimmed)) {
            return Optional.empty();
        }
        ProductSnapshot snapshot = product.current();
        return snapshot.find(trimmed).map(snapshot::prepared);
    }
}
