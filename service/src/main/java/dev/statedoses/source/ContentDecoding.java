package dev.statedoses.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A body as its file: undoes the {@code Content-Encoding} the upstream applied (S3 serves an object
 * uploaded gzipped with {@code Content-Encoding: gzip}, whatever the client asked for), and a
 * gzip file served as it is (a {@code .csv.gz}, or an object whose metadata lost its encoding),
 * which its first two bytes give away: no CSV starts with 0x1F 0x8B. Either is checked to its
 * last byte ({@link CompressedBody}): a compressed stream cut short is never taken for the file.
 *
 * <p>Nothing is read until the first read: the fetch's deadline already runs then, so a stalled
 * upstream cannot hold up decoding a header.
 */
final class ContentDecoding extends InputStream {

    private final InputStream raw;
    private final List<String> encodings;
    private InputStream decoded;
    /** Whether the body came compressed (a Content-Encoding, or gzip's first bytes): known once read. */
    private boolean compressed;

    private ContentDecoding(InputStream raw, List<String> encodings) {
        this.raw = raw;
        this.encodings = encodings;
    }

    /**
     * The codings of a {@code Content-Encoding} header, in the order they were applied, or the
     * one we cannot undo as an exception's message ({@code null} header: none).
     */
    static List<String> codings(String header) {
        List<String> codings = new ArrayList<>();
        if (header == null) {
            return codings;
        }
        for (String part : header.split(",")) {
            String coding = part.strip().toLowerCase(Locale.ROOT);
            switch (coding) {
                case "", "identity" -> { }
                case "gzip", "x-gzip" -> codings.add("gzip");
                case "deflate" -> codings.add("deflate");
                default -> throw new IllegalArgumentException("the upstream sent the body with Content-Encoding "
                    + coding + ", which this service cannot decode (it reads gzip and deflate)");
            }
        }
        return codings;
    }

    /** {@code raw} decoded from {@code codings} (see {@link #codings}), and from gzip if it is gzip. */
    static InputStream decode(InputStream raw, List<String> codings) {
        return new ContentDecoding(raw, List.copyOf(codings));
    }

    /** Whether what was read so far came compressed, and so carries a check of its own (CRC-32, Adler-32). */
    boolean compressed() {
        return compressed;
    }

    private InputStream open() throws IOException {
        compressed = !encodings.isEmpty();
        InputStream in = raw;
        for (int i = encodings.size() - 1; i >= 0; i--) {
            in = "gzip".equals(encodings.get(i)) ? CompressedBody.gzip(in) : inflating(in);
        }
        PushbackInputStream peek = new PushbackInputStream(in, 2);
        int[] first = peek(peek);
        if (first[0] == 0x1f && first[1] == 0x8b) {
            compressed = true;
            return CompressedBody.gzip(peek);
        }
        return peek;
    }

    /**
     * HTTP's "deflate" is a zlib stream (RFC 9110), but some servers send bare deflate data: the
     * zlib header (a method of 8 and a check making the first two bytes a multiple of 31) tells.
     */
    private static InputStream inflating(InputStream in) throws IOException {
        PushbackInputStream peek = new PushbackInputStream(in, 2);
        int[] first = peek(peek);
        boolean zlib = first[1] >= 0 && (first[0] & 0x0f) == 8 && ((first[0] << 8) | first[1]) % 31 == 0;
        return CompressedBody.deflate(peek, zlib);
    }

    /** The next two bytes (-1 past the end), left in the stream. */
    private static int[] peek(PushbackInputStream in) throws IOException {
        int b0 = in.read();
        int b1 = b0 < 0 ? -1 : in.read();
        if (b1 >= 0) {
            in.unread(b1);
        }
        if (b0 >= 0) {
            in.unread(b0);
        }
        return new int[] {b0, b1};
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0; // as InputStream says: reading nothing waits for nothing (not for the first two bytes)
        }
        if (decoded == null) {
            decoded = open();
        }
        return decoded.read(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
