package dev.statedoses.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            sha256.update((byte) b);
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            sha256.update(buffer, offset, n);
            counted(n);
        }
        return n;
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
