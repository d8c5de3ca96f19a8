package dev.statedoses.source;

import dev.statedoses.util.Sha256;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.ZipException;

/**
 * A source body as it streams past (decoded, when it came gzipped): counts its bytes, hashes them
 * (the run records both, so a number can be traced to the exact bytes it came from), stops at a
 * size limit, so a runaway upstream (or a gzip bomb) cannot fill the warehouse, and watches its
 * shape ({@link BodyShape}), so a body cut short is told from a complete one.
 *
 * <p>Every failure to read it becomes a {@link SourceException} that says what happened: the
 * body ending before the length the upstream promised is a cut-off body (422), a reset
 * connection a transient fault (retried), anything else an unreadable upstream (502).
 */
public final class SourceStream extends FilterInputStream {

    private final SourceName source;
    private final URI url;
    private final long maxBytes;
    private final MessageDigest sha256;
    private final BodyShape shape = new BodyShape();
    private long bytes;
    private String etag;
    private String lastModified;
    /** Set for a source that has not changed since the last good refresh: its hash, then. */
    private String unchangedSha256;
    private String finishedSha256;
    /** For a file: the fault to report if it changed while it was read, or null (FileBody). */
    private Supplier<SourceException> changes = () -> null;
    private volatile String abandoned;
    /** Set once a read failed: the stream has said what is wrong with it, and is read no more. */
    private boolean failed;
    /** What a read said on finding the compressed stream damaged, or null. */
    private SourceException damage;
    private volatile boolean timedOut;
    private ScheduledFuture<?> deadline;
    /** Where the body came from when a redirect led there (" (at URL, after 1 redirect)"), or "". */
    private String hop = "";
    /** The URL that answered, redacted, when a redirect led there; null when the source's own URL did. */
    private String answeredAt;

    SourceStream(InputStream body, SourceName source, URI url, long maxBytes) {
        super(body);
        this.source = source;
        this.url = url;
        this.maxBytes = maxBytes;
        this.sha256 = Sha256.digest();
    }

    /**
     * A body already in memory, read as a fetched one is (counted, hashed, its shape watched):
     * the warm-up's generated sources.
     */
    public static SourceStream of(byte[] body, SourceName source, URI url) {
        return new SourceStream(new ByteArrayInputStream(body), source, url, body.length);
    }

    /**
     * The answer for a source that has not changed since the last good refresh (an upstream's
     * 304, or a file that hashes the same): no body, the validators to send next time, and the
     * hash of the bytes it still stands for.
     */
    static SourceStream notModified(SourceName source, URI url, String sha256, String etag, String lastModified) {
        SourceStream stream = new SourceStream(InputStream.nullInputStream(), source, url, 0);
        stream.unchangedSha256 = sha256;
        stream.validators(etag, lastModified);
        return stream;
    }

    void watchForChanges(Supplier<SourceException> changes) {
        this.changes = changes;
    }

    /**
     * What {@code fault}, met reading this body (a value the CSV reader refused, a body too
     * large), is to be reported as: for a file that changed while it was read, the change, a
     * transient fault (it is read again, whole); otherwise {@code fault} itself. The bytes of a
     * file half rewritten are no one's, and what is wrong with them says nothing of the file.
     */
    public SourceException orChange(SourceException fault) {
        SourceException changed = changes.get();
        return changed != null ? changed : fault;
    }

    /**
     * What {@code fault}, a value refused in this body, is to be reported as when the body came
     * compressed. A compressed stream damaged inside (a byte changed in its data) may inflate to
     * wrong bytes without a word, and only its check at the member's end (gzip's CRC-32, zlib's
     * Adler-32) tells: the refresh reported the value the damage garbled, as if the upstream had
     * written it. So the rest of the body is read (within SOURCE_MAX_BYTES and the fetch's
     * deadline), and damage found there is the fault, naming the value it may have garbled; a body
     * that checks out, or one that fails otherwise, leaves {@code fault} as it is. Call it before
     * the body is closed.
     */
    SourceException orDamage(SourceException fault) {
        if (fault.kind() != SourceException.Kind.CONTENT || !(in instanceof ContentDecoding decoding)
            || !decoding.compressed()) {
            return fault;
        }
        if (!failed && abandoned == null) {
            byte[] rest = new byte[64 * 1024];
            try {
                while (read(rest, 0, rest.length) >= 0) {
                    // read to the end: the compressed stream's own check comes last
                }
            } catch (RuntimeException e) {
                // damage is kept by failure(); any other end of the body leaves the fault as it was
            }
        }
        if (damage == null || damage.getMessage().equals(fault.getMessage())) {
            return fault;
        }
        String where = fault.line() == null ? "what was refused in it" : "the value refused on line " + fault.line();
        return SourceException.content(source, url, fault.line(), fault.column(), damage.getMessage() + ", so "
            + where + " may be the damage's doing: " + fault.getMessage());
    }

    void validators(String etag, String lastModified) {
        this.etag = etag;
        this.lastModified = lastModified;
    }

    /** True when the source has not changed since the last good refresh: there is no body to read. */
    public boolean notModified() {
        return unchangedSha256 != null;
    }

    /** The upstream's ETag for this body, or null (none sent, or a file). */
    public String etag() {
        return etag;
    }

    /** The upstream's Last-Modified for this body, or null. */
    public String lastModified() {
        return lastModified;
    }

    /**
     * Where the answer (a body, or a 304) came from when a redirect led there: that URL, its
     * secrets hidden; null when the source's own URL answered. The validators are that
     * resource's, and are sent back to it alone.
     */
    public String answeredAt() {
        return answeredAt;
    }

    void answeredAt(String answeredAt) {
        this.answeredAt = answeredAt;
    }

    public SourceName source() {
        return source;
    }

    public URI url() {
        return url;
    }

    /**
     * Gives the upstream {@code left} of its {@code budget} (SOURCE_TIMEOUT) to deliver the body:
     * when it runs out while the upstream still owes bytes we were ready to take, the stream is
     * abandoned as a timeout. Time the refresh itself holds the body up does not count against the
     * upstream: when the download has ended, or waits for the reader ({@code waitsForReader}, a
     * warehouse slow to take the rows, a lock an analyst holds), the deadline looks again a
     * second later instead. Before, a refresh waiting for a locked table failed as "the body did
     * not arrive in full", naming an upstream that had answered in milliseconds.
     */
    void expireAfter(Duration left, Duration budget, ScheduledExecutorService timer, BooleanSupplier waitsForReader) {
        deadline = timer.schedule(() -> expire(budget, timer, waitsForReader), left.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void expire(Duration budget, ScheduledExecutorService timer, BooleanSupplier waitsForReader) {
        if (abandoned != null) {
            return;
        }
        if (waitsForReader.getAsBoolean()) {
            try {
                deadline = timer.schedule(() -> expire(budget, timer, waitsForReader), 1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stopping) {
                // The fetcher closed (shutdown): that stops the stream on its own.
            }
            return;
        }
        timedOut = true;
        abandon("the body did not arrive in full within " + budget.toSeconds() + " s");
    }

    /** Stops the stream from another thread: the reader's next (or blocked) read fails with {@code reason}. */
    public void abandon(String reason) {
        abandoned = reason;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all we want; a failure to close leaves nothing to do
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
        if (abandoned != null) {
            throw failure(null);
        }
        if (n > 0) {
            sha256.update(buffer, offset, n);
            shape.observe(buffer, offset, n);
            counted(n);
        } else if (n < 0) {
            shape.end();
        }
        return n;
    }

    /** The body came from where a redirect led: its transport faults name that hop. */
    void hop(String hop) {
        this.hop = hop;
    }

    /** What a failed read means, as the exception the refresh reports. */
    private RuntimeException failure(Exception e) {
        failed = true;
        String reason = abandoned;
        if (reason != null) {
            return timedOut ? SourceException.timeout(source, url, reason, e) : new SourceAbandonedException(reason);
        }
        if (e instanceof SourceException || e instanceof SourceAbandonedException) {
            return (RuntimeException) e;
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        // The JDK's HTTP client wraps the cause: "closed" <- "fixed content-length: 9, bytes
        // received: 5" <- EOFException. The deepest cause says what really happened.
        if (causedBy(e, EOFException.class)) {
            return SourceException.truncated(source, url, shape.line(), "the body ends after " + bytes
                + " bytes, before its end (" + describe(e) + ")" + hop + ": the download was cut short");
        }
        if (causedBy(e, ZipException.class)) {
            damage = SourceException.content(source, url, shape.line(), null,
                "the compressed body is damaged (" + describe(e) + ")");
            return damage;
        }
        if (causedBy(e, SocketException.class)) {
            return SourceException.transientFault(source, url, "the connection failed after " + bytes
                + " bytes (" + describe(e) + ")" + hop, e, null);
        }
        return SourceException.unavailable(source, url, "reading the body failed after " + bytes + " bytes ("
            + describe(e) + ")" + hop, e);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The messages of the exception and its causes, each once: "closed: fixed content-length: 9, ...". */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.length() == 0 ? "the stream ended" : text.toString();
    }

    @Override
    public void close() throws IOException {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.close();
    }

    @Override
    public long skip(long n) {
        // Skipped bytes would escape the hash; the CSV reader never skips.
        throw new UnsupportedOperationException("a source stream is read, never skipped");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(int n) {
        bytes += n;
        if (bytes > maxBytes) {
            throw SourceException.unavailable(source, url,
                "the body is larger than SOURCE_MAX_BYTES (" + maxBytes + " bytes)", null);
        }
    }

    public long bytes() {
        return bytes;
    }

    /** What the body's bytes looked like so far: where it stopped, whether it was cut or damaged. */
    BodyShape shape() {
        return shape;
    }

    /**
     * The SHA-256 of the body, in lower-case hex (of the unchanged source's bytes, for one
     * {@link #notModified()}), once it is read: the first call finishes the digest of the bytes
     * read by then, and every later call answers the same. (Finishing a MessageDigest resets it: a
     * second call once answered the hash of no bytes, which a refresh recorded as the source's.)
     */
    public String sha256Hex() {
        if (unchangedSha256 != null) {
            return unchangedSha256;
        }
        if (finishedSha256 == null) {
            finishedSha256 = Sha256.hex(sha256);
        }
        return finishedSha256;
    }
}
