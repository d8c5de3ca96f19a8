package dev.statedoses.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A source body as it streams past: counts its bytes, hashes them (the run records both, so a
 * number can be traced to the exact bytes it came from) and stops at a size limit, so a runaway
 * upstream cannot fill the warehouse.
 */
public final class SourceStream extends FilterInputStream {

    private final SourceName source;
    private final URI url;
    private final long maxBytes;
    private final MessageDigest sha256;
    private long bytes;
    private volatile String abandoned;
    private volatile boolean timedOut;
    private ScheduledFuture<?> deadline;

    SourceStream(InputStream body, SourceName source, URI url, long maxBytes) {
        super(body);
        this.source = source;
        this.url = url;
        this.maxBytes = maxBytes;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public SourceName source() {
        return source;
    }

    public URI url() {
        return url;
    }

    /**
     * Gives the whole body {@code left} more time (of the fetch's {@code budget}): then the stream is closed under the
     * reader, whose blocked read fails at once, and the refresh reports a timeout.
     */
    void expireAfter(Duration left, Duration budget, ScheduledExecutorService timer) {
        deadline = timer.schedule(() -> {
            timedOut = true;
            abandon("the body did not arrive in full within " + budget.toSeconds() + " s");
        }, left.toMillis(), TimeUnit.MILLISECONDS);
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
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (IOException e) {
            throw abandonedOr(e);
        }
        if (abandoned != null) {
            throw abandonedOr(null);
        }
        if (n > 0) {
            sha256.update(buffer, offset, n);
            counted(n);
        }
        return n;
    }

    private IOException abandonedOr(IOException e) {
        String reason = abandoned;
        if (reason == null) {
            return e;
        }
        if (timedOut) {
            throw SourceException.timeout(source, url, reason, e);
        }
        throw new SourceAbandonedException(reason);
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

    /** The SHA-256 of every byte read so far, in lower-case hex. Call once the body is read. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
