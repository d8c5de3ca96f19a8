package dev.statedoses.product;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.statedoses.text.Printable;
import dev.statedoses.util.HttpDate;
import dev.statedoses.util.Sha256;
import dev.statedoses.web.ClientGoneException;
import dev.statedoses.web.EntityTag;
import dev.statedoses.web.HeaderLines;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.QueryParameter;
import dev.statedoses.web.StrictQuery;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
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
    /**
     * How long a streamed answer ({@link Streamed}) may be and still be kept once written: every
     * state and week of the real sources is under half of it. Past it the answer is written again
     * for each request, and a request holds no more than this of it at once.
     */
    static final int KEPT_BYTES = 1 << 20;
    private static final int WRITE_BUFFER = 16 * 1024;
    /** The format follows Accept, so caches must key on it. */
    private static final String VARY = "Accept";

    private final ObjectMapper json;
    private final AnswerDate dates = new AnswerDate();
    /** For CSV: the same field names, but decimals kept as written (0.8000, not 0.8), as in JSON. */
    private final ObjectMapper exact;
    /** For streamed JSON: one array, written row by row. */
    private final ObjectWriter arrays;
    /** How long a streamed answer may be and still be kept in memory once written ({@link Streamed}). */
    private final int keptBytes;

    public ProductResponse(ObjectMapper json) {
        this(json, KEPT_BYTES);
    }

    /** The same, keeping streamed answers up to {@code keptBytes} long (a test's small limit). */
    ProductResponse(ObjectMapper json, int keptBytes) {
        this.json = json;
        this.exact = json.copy().configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        // No flush after each row: the generator's buffer goes out when full.
        this.arrays = json.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        this.keptBytes = keptBytes;
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
     * A list of rows written as it is sent ({@link Streamed}): what an answer that grows with the
     * product (every state and week) is, so that no answer is ever held whole. {@code lastModified}
     * is that of the product the rows are of (null: no product).
     */
    public Streamed stream(Iterable<?> rows, List<String> columns, LastModified lastModified) {
        return new Streamed(rows, columns, lastModified);
    }

    /**
     * Sends {@code body} in the format the request asks for, with the ETag and Content-Length of
     * the very bytes sent: written once to measure them (kept when small, and then sent from
     * memory), and once more as they are sent. A HEAD and a 304 are not written again.
     */
    public void send(Context ctx, String format, Streamed body) {
        boolean csv = wantsCsv(format, HeaderLines.joined(ctx, "Accept"));
        Measured measured = body.measured(csv);
        Reply reply = decide(dates, csv, measured.bytes(), measured.etag(), body.lastModified, Conditions.of(ctx));
        if (measured.bytes() != null || reply.notModified()) {
            send(ctx, reply);
            return;
        }
        reply.headers(ctx::header);
        ctx.contentType(reply.contentType());
        ctx.header("Content-Length", Long.toString(measured.length()));
        if (ctx.method() == HandlerType.HEAD) {
            return;
        }
        try {
            OutputStream out = ctx.outputStream();
            body.write(csv, out);
            out.flush();
        } catch (IOException e) {
            // The body is written from memory: only the connection can fail it.
            throw new ClientGoneException(e);
        }
    }

    /**
     * What writing a {@link Streamed} body in one format gave: its strong ETag, its length and,
     * when it is no longer than the body keeps, its bytes (null: sent by writing it again).
     */
    record Measured(String etag, long length, byte[] bytes) {
    }

    /**
     * Rows written as JSON or CSV straight to where they go, one at a time: the bytes are those
     * {@link #prepare} makes of the same list. An answer up to {@code keptBytes} long is kept once
     * written; a longer one keeps only its ETag and length, and is written again for each request.
     */
    public final class Streamed {

        private final Iterable<?> rows;
        private final List<String> columns;
        private final LastModified lastModified;
        /** Each format's measure, once taken: json [0], csv [1]. */
        private final Measured[] measured = new Measured[2];

        private Streamed(Iterable<?> rows, List<String> columns, LastModified lastModified) {
            this.rows = rows;
            this.columns = columns;
            this.lastModified = lastModified;
        }

        /** The measure of the body in one format: written once, the first time it is asked for. */
        Measured measured(boolean csv) {
            int format = csv ? 1 : 0;
            synchronized (measured) {
                if (measured[format] == null) {
                    Measuring out = new Measuring(keptBytes);
                    try {
                        write(csv, out);
                    } catch (IOException e) {
                        throw new UncheckedIOException("writing the answer failed", e);
                    }
                    measured[format] = out.measured();
                }
                return measured[format];
            }
        }

        /** Writes the body to {@code out}, which stays open. */
        void write(boolean csv, OutputStream out) throws IOException {
            if (csv) {
                writeCsv(rows, columns, out);
            } else {
                writeJson(rows, out);
            }
        }
    }

    /**
     * Takes the SHA-256 and the length of what is written, and keeps the bytes while they are no
     * more than a limit: a small answer is then sent as it was measured. Kept in pieces of
     * {@link #PIECE} bytes, not one array grown by doubling: in a heap that barely held a large
     * product, the array's copies on the way to the limit (each a run of contiguous regions to
     * G1) ran it out, where pieces fit in what was free.
     */
    private static final class Measuring extends OutputStream {
        private static final int PIECE = 64 * 1024;
        private final MessageDigest digest = Sha256.digest();
        private final int keeps;
        private List<byte[]> kept = new ArrayList<>();
        private long length;

        Measuring(int keeps) {
            this.keeps = keeps;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
            long before = length;
            length += len;
            if (kept == null) {
                return;
            }
            if (length > keeps) {
                kept = null; // too long to keep: written again as it is sent
                return;
            }
            for (int done = 0; done < len; ) {
                int at = (int) ((before + done) % PIECE);
                if (at == 0) {
                    kept.add(new byte[PIECE]);
                }
                int n = Math.min(len - done, PIECE - at);
                System.arraycopy(b, off + done, kept.get(kept.size() - 1), at, n);
                done += n;
            }
        }

        Measured measured() {
            byte[] bytes = null;
            if (kept != null) {
                bytes = new byte[(int) length];
                for (int i = 0; i < kept.size(); i++) {
                    System.arraycopy(kept.get(i), 0, bytes, i * PIECE, Math.min(PIECE, bytes.length - i * PIECE));
                }
            }
            return new Measured(EntityTag.ofDigest(Sha256.hex(digest)), length, bytes);
        }
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

    /**
     * The request's {@code ?format=}, checked: null when absent, else csv or json (in any case),
     * or a 400. Read with the request's other values, before any state is looked up, so that a
     * malformed request is told so whatever it asks for (it was a 404 for a state the product
     * lacks first).
     */
    public static String format(StrictQuery query) {
        String format = query.one(FORMAT.name());
        if (format != null) {
            wantsCsv(format, null);
        }
        return format;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeCsv(body instanceof Collection<?> rows ? rows : List.of(body), columns, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV", e);
        }
        return out.toByteArray();
    }

    /** {@code rows} as CSV (see {@link #csv}) to {@code out}, which stays open. */
    private void writeCsv(Iterable<?> rows, List<String> columns, OutputStream out) throws IOException {
        Writer text = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), WRITE_BUFFER);
        text.write(String.join(",", columns));
        text.write("\r\n");
        // Row by row: a tree of the whole list would cost hundreds of bytes a row at once.
        for (Object item : rows) {
            JsonNode row = exact.valueToTree(item);
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    text.write(',');
                }
                JsonNode value = row.get(columns.get(i));
                if (value != null && !value.isNull()) {
                    text.write(field(value.asText()));
                }
            }
            text.write("\r\n");
        }
        text.flush();
    }

    /** {@code rows} as a JSON array, the bytes {@link #jsonBytes} makes of the same list, to {@code out} (left open). */
    private void writeJson(Iterable<?> rows, OutputStream out) throws IOException {
        try (SequenceWriter array = arrays.writeValuesAsArray(new Unclosed(out))) {
            for (Object row : rows) {
                array.write(row);
            }
        }
    }

    /** A stream whose close only flushes: the response's own stream is closed by Jetty. */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static String field(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
