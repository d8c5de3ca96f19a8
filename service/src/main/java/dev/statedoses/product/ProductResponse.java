package dev.statedoses.product;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.statedoses.text.Printable;
import dev.statedoses.util.HttpDate;
import dev.statedoses.web.EntityTag;
import dev.statedoses.web.HeaderLines;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.QueryParameter;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Writes a product response as dashboards and spreadsheets want it: JSON or CSV (by
 * {@code ?format=} or {@code Accept: text/csv}), with an ETag taken from the very bytes sent,
 * Last-Modified from the product's refreshed_at ({@link LastModified}), 304 for a client that
 * already has them, and 412 for one that asks for them only if they are still its version.
 */
public final class ProductResponse {

    public static final String CSV = "text/csv; charset=utf-8";
    /** {@code ?format=csv|json}, which every product read takes. */
    public static final QueryParameter FORMAT = QueryParameter.once("format", "invalid-format", "Invalid format",
        "as csv or json");
    private static final String JSON = "application/json";
    /** Caches may keep a product response, but must ask (with its ETag) before using it. */
    private static final String CACHE_CONTROL = "no-cache";
    /** The format follows Accept, so caches must key on it. */
    private static final String VARY = "Accept";

    private final ObjectMapper json;
    private final AnswerDate dates = new AnswerDate();
    /** For CSV: the same field names, but decimals kept as written (0.8000, not 0.8), as in JSON. */
    private final ObjectMapper exact;

    public ProductResponse(ObjectMapper json) {
        this.json = json;
        this.exact = json.copy().configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    }

    /**
     * A response body made once, in both formats, with their ETags and its Last-Modified (null
     * without a product): what a snapshot keeps.
     */
    public record Prepared(byte[] json, String jsonEtag, byte[] csv, String csvEtag, LastModified lastModified) {
    }

    /**
     * A request's conditional headers (RFC 9110, 13.1), each null when absent and each every line
     * of its header, joined ({@link HeaderLines}).
     */
    public record Conditions(String ifMatch, String ifUnmodifiedSince, String ifNoneMatch, String ifModifiedSince) {

        /** Those a request through Javalin sent. */
        static Conditions of(Context ctx) {
            return new Conditions(HeaderLines.joined(ctx, "If-Match"), HeaderLines.joined(ctx, "If-Unmodified-Since"),
                HeaderLines.joined(ctx, "If-None-Match"), HeaderLines.joined(ctx, "If-Modified-Since"));
        }

        /** Only the two that can answer 304: what a request without If-Match or If-Unmodified-Since sent. */
        static Conditions revalidating(String ifNoneMatch, String ifModifiedSince) {
            return new Conditions(null, null, ifNoneMatch, ifModifiedSince);
        }
    }

    /**
     * What to answer: 200 with {@code body}, or 304 with none; the headers every product response
     * carries. Both the Javalin routes and the snapshot's fast path (SnapshotReads) send
     * exactly this, so the two cannot drift apart. {@code date} is the answer's Date when it has a
     * Last-Modified (null when not: Jetty's stands), read from the clock with it ({@link AnswerDate}).
     */
    public record Reply(int status, String contentType, byte[] body, String etag, String lastModified, String date) {
        public boolean notModified() {
            return status == 304;
        }

        /** Hands {@code header} every header below (Content-Type apart: writers differ). */
        public void headers(BiConsumer<String, String> header) {
            lasting(header);
            date(header);
        }

        /**
         * Hands {@code header} the validators and caching headers: the same for every answer of
         * one body while its Last-Modified is sent or while it is not, so the fast path keeps them
         * encoded.
         */
        public void lasting(BiConsumer<String, String> header) {
            header.accept("ETag", etag);
            header.accept("Cache-Control", CACHE_CONTROL);
            header.accept("Vary", VARY);
            if (lastModified != null) {
                header.accept("Last-Modified", lastModified);
            }
        }

        /** Hands {@code header} this answer's own Date, replacing Jetty's, when it has a Last-Modified. */
        public void date(BiConsumer<String, String> header) {
            if (date != null) {
                header.accept("Date", date);
            }
        }
    }

    /**
     * Serialises {@code body} (a row or a list of rows) in both formats. {@code columns} are the CSV
     * header, the JSON field names in order; {@code lastModified} is the product's (null: no product).
     */
    public Prepared prepare(Object body, List<String> columns, LastModified lastModified) {
        byte[] json = jsonBytes(body);
        byte[] csv = csv(body, columns);
        return new Prepared(json, EntityTag.of(json), csv, EntityTag.of(csv), lastModified);
    }

    /**
     * Sends {@code body}, serialised now in the format the request asks for: {@code format}, the
     * request's {@code ?format=} (null: none), or else its Accept. {@code lastModified} is that of
     * the product the body was read from (null: no product).
     */
    public void send(Context ctx, String format, Object body, List<String> columns, LastModified lastModified) {
        boolean csv = wantsCsv(format, HeaderLines.joined(ctx, "Accept"));
        byte[] bytes = csv ? csv(body, columns) : jsonBytes(body);
        send(ctx, decide(dates, csv, bytes, EntityTag.of(bytes), lastModified, Conditions.of(ctx)));
    }

    /** Sends a prepared body: no serialising, no hashing, no warehouse on the way. */
    public void send(Context ctx, String format, Prepared prepared) {
        send(ctx, reply(dates, prepared, format, HeaderLines.joined(ctx, "Accept"), Conditions.of(ctx)));
    }

    /**
     * The answer to a request for {@code prepared}, from the request's {@code ?format=}, its
     * Accept header (null when absent; every line of it, joined: {@link HeaderLines}) and its
     * {@code conditions}; its Date, when it needs one, from {@code dates}.
     */
    static Reply reply(AnswerDate dates, Prepared prepared, String format, String accept, Conditions conditions) {
        boolean csv = wantsCsv(format, accept);
        return decide(dates, csv, csv ? prepared.csv() : prepared.json(), csv ? prepared.csvEtag() : prepared.jsonEtag(),
            prepared.lastModified(), conditions);
    }

    private static Reply decide(AnswerDate dates, boolean csv, byte[] bytes, String etag, LastModified lastModified,
                                Conditions conditions) {
        preconditions(etag, lastModified, conditions);
        // A cache refreshing its stored headers from a 304 must not relabel the body, so a 304
        // carries the Content-Type too.
        String contentType = csv ? CSV : JSON;
        // One reading of the clock decides whether Last-Modified goes out and writes the Date that
        // goes with it, so the Date is never the earlier of the two.
        long now = System.currentTimeMillis();
        String modified = lastModified == null ? null : lastModified.header(now);
        String date = modified == null ? null : dates.at(now);
        return notModified(etag, lastModified, conditions.ifNoneMatch(), conditions.ifModifiedSince())
            ? new Reply(304, contentType, null, etag, modified, date)
            : new Reply(200, contentType, bytes, etag, modified, date);
    }

    private static void send(Context ctx, Reply reply) {
        reply.headers(ctx::header);
        ctx.contentType(reply.contentType());
        if (reply.notModified()) {
            ctx.status(304);
            return;
        }
        // Said before the body, as the fast path says it: a large body would go chunked, and a
        // HEAD's answer would then not say the length its GET's does.
        ctx.header("Content-Length", Integer.toString(reply.body().length));
        ctx.result(reply.body());
    }

    /** {@code ?format=csv|json} decides; without it, an Accept header that prefers text/csv to JSON. */
    private static boolean wantsCsv(String format, String accept) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "csv" -> true;
                case "json" -> false;
                default -> throw FORMAT.invalid("format must be csv or json, not '" + Printable.shorten(format, 40)
                    + "'");
            };
        }
        return AcceptHeader.prefersCsv(accept);
    }

    /**
     * RFC 9110 (13.2.2), the first two steps: If-Match, or without it If-Unmodified-Since, that
     * does not name the representation that would be sent fails the request with 412, so a client
     * reading a product in several requests learns that it changed between them. If-Match compares
     * strongly; an If-Unmodified-Since that is not one HTTP date is ignored, and one in the very
     * second of the product's Last-Modified holds only if no other product shares that second.
     */
    private static void preconditions(String etag, LastModified lastModified, Conditions conditions) {
        if (conditions.ifMatch() != null) {
            if (!EntityTag.matchesStrongly(conditions.ifMatch(), etag)) {
                throw preconditionFailed("If-Match names no version this answer has: its ETag is now " + etag);
            }
            return;
        }
        if (conditions.ifUnmodifiedSince() == null || lastModified == null) {
            return;
        }
        if (HttpDate.parse(conditions.ifUnmodifiedSince()).map(since -> !lastModified.unmodifiedSince(since))
                .orElse(false)) {
            throw preconditionFailed("the product changed after If-Unmodified-Since: it was built at "
                + lastModified.refreshedAt() + ", ETag " + etag);
        }
    }

    private static ProblemException preconditionFailed(String detail) {
        return new ProblemException(Problem.of(412, "precondition-failed", "Precondition failed", detail));
    }

    /**
     * RFC 9110: If-None-Match wins over If-Modified-Since; a weak or strong match both count. An
     * If-Modified-Since that is not one HTTP date (in any of its three forms) is ignored, as the
     * RFC says: two lines of it, read together, are not one. A date earns a 304 only when it can
     * name this product alone ({@link LastModified#notModifiedSince}).
     */
    private static boolean notModified(String etag, LastModified lastModified, String ifNoneMatch,
                                       String ifModifiedSince) {
        if (ifNoneMatch != null) {
            return EntityTag.matches(ifNoneMatch, etag);
        }
        if (ifModifiedSince == null || lastModified == null) {
            return false;
        }
        return HttpDate.parse(ifModifiedSince).map(lastModified::notModifiedSince).orElse(false);
    }

    private byte[] jsonBytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** RFC 4180: a header row, CRLF line ends, fields quoted only when they must be; null is empty. */
    private byte[] csv(Object body, List<String> columns) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", columns)).append("\r\n");
        // Row by row: a tree of the whole list would cost hundreds of bytes a row at once.
        for (Object item : body instanceof Collection<?> rows ? rows : List.of(body)) {
            JsonNode row = exact.valueToTree(item);
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                JsonNode value = row.get(columns.get(i));
                if (value != null && !value.isNull()) {
                    out.append(field(value.asText()));
                }
            }
            out.append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String field(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
