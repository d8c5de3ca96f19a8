package dev.statedoses.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip or deflate body undone, checked to its last byte: the body is whole only if the
 * compressed stream ends exactly where the body does.
 *
 * <p>The JDK's GZIPInputStream stops quietly where a member's header is cut or junk follows a
 * member (it takes either for the end), so a gzip body of two members whose second was cut after
 * 5 bytes loaded as the first member alone: a shorter file, published as the whole. Here gzip
 * (RFC 1952) is read member by member, header, deflate data and trailer (CRC-32 and size), and:
 * the input ending at a member's end is the end; ending anywhere inside a member (its header,
 * data or trailer) is a cut ({@link EOFException}, reported as a truncated body); anything else
 * after a member, or a wrong CRC or size, is damage ({@link ZipException}, reported as damaged
 * content). A deflate body (zlib or bare) is one stream, and nothing may follow it.
 */
final class CompressedBody extends InputStream {

    private static final int BUFFER = 64 * 1024;
    private static final int FTEXT = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private enum State { MEMBER_START, DATA, DONE }

    private final InputStream in;
    private final boolean gzip;
    private final Inflater inflater;
    private final CRC32 crc = new CRC32();
    /** Raw input read ahead: bytes [pos, limit) are not consumed yet. */
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;
    private State state;
    private int members;
    /** Decoded bytes of the current member, modulo 2^32 as ISIZE keeps it. */
    private long memberSize;

    private CompressedBody(InputStream in, boolean gzip, boolean zlib) {
        this.in = in;
        this.gzip = gzip;
        this.inflater = new Inflater(gzip || !zlib);
        this.state = gzip ? State.MEMBER_START : State.DATA;
    }

    /** {@code in}, a gzip stream of one or more members, decoded. */
    static InputStream gzip(InputStream in) {
        return new CompressedBody(in, true, false);
    }

    /** {@code in}, one deflate stream (zlib-wrapped, or bare when {@code zlib} is false), decoded. */
    static InputStream deflate(InputStream in, boolean zlib) {
        return new CompressedBody(in, false, zlib);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] out, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            switch (state) {
                case DONE -> {
                    return -1;
                }
                case MEMBER_START -> {
                    if (members > 0 && !more()) {
                        // The input ends exactly at a member's end: the whole gzip stream.
                        finish();
                        return -1;
                    }
                    header();
                    state = State.DATA;
                }
                case DATA -> {
                    int n = inflate(out, offset, length);
                    if (n > 0) {
                        return n;
                    }
                    endOfData();
                }
            }
        }
    }

    /**
     * Inflates into {@code out}: the bytes decoded (over 0), or 0 once the deflate stream has
     * ended. Input ending before it does is a cut.
     */
    private int inflate(byte[] out, int offset, int length) throws IOException {
        while (true) {
            if (inflater.finished()) {
                return 0;
            }
            if (inflater.needsInput()) {
                if (!more()) {
                    throw new EOFException(gzip ? "the gzip stream ends inside a member's compressed data"
                        : "the deflate stream ends before its end");
                }
                inflater.setInput(buffer, pos, limit - pos);
                pos = limit; // handed over: what the inflater does not use comes back at its end
            }
            int n;
            try {
                n = inflater.inflate(out, offset, length);
            } catch (DataFormatException e) {
                throw new ZipException("invalid compressed data: " + e.getMessage());
            }
            if (n > 0) {
                if (gzip) {
                    crc.update(out, offset, n);
                    memberSize += n;
                }
                return n;
            }
            if (inflater.needsDictionary()) {
                throw new ZipException("the deflate stream asks for a preset dictionary");
            }
        }
    }

    /** The deflate stream has ended: a gzip member's trailer follows; after a deflate body, nothing. */
    private void endOfData() throws IOException {
        // The bytes the inflater was given and did not use are the next ones: take them back.
        pos = limit - inflater.getRemaining();
        if (!gzip) {
            if (more()) {
                throw new ZipException("bytes follow the end of the deflate stream");
            }
            finish();
            return;
        }
        long expectedCrc = uint32("trailer");
        long expectedSize = uint32("trailer");
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("the CRC-32 of gzip member " + (members + 1) + " does not match its data");
        }
        if (expectedSize != (memberSize & 0xffffffffL)) {
            throw new ZipException("the size in gzip member " + (members + 1) + "'s trailer does not match its data");
        }
        members++;
        state = State.MEMBER_START;
    }

    /** A gzip member's header (RFC 1952, 2.3), with its optional fields; checked, and skipped. */
    private void header() throws IOException {
        CRC32 headerCrc = new CRC32();
        // Byte by byte: a lone 0x1F at the end may be a member cut after its first byte, but a
        // byte that no member starts with is damage however little follows it.
        if (headerByte(headerCrc) != 0x1f || headerByte(headerCrc) != 0x8b) {
            throw new ZipException(members == 0 ? "not a gzip stream"
                : "bytes that are not gzip follow gzip member " + members);
        }
        if (headerByte(headerCrc) != 8) {
            throw new ZipException("gzip member " + (members + 1) + " is not compressed with deflate");
        }
        int flags = headerByte(headerCrc);
        if ((flags & ~(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw new ZipException("gzip member " + (members + 1) + " sets reserved header flags");
        }
        for (int i = 0; i < 6; i++) {
            headerByte(headerCrc); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int length = headerByte(headerCrc) | headerByte(headerCrc) << 8;
            for (int i = 0; i < length; i++) {
                headerByte(headerCrc);
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte(headerCrc) != 0) {
                // the file name, up to its NUL
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte(headerCrc) != 0) {
                // the comment, up to its NUL
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = headerByte(null) | headerByte(null) << 8;
            if (expected != (int) (headerCrc.getValue() & 0xffff)) {
                throw new ZipException("the header CRC of gzip member " + (members + 1) + " does not match");
            }
        }
        inflater.reset();
        crc.reset();
        memberSize = 0;
    }

    private int headerByte(CRC32 headerCrc) throws IOException {
        int b = next("header");
        if (headerCrc != null) {
            headerCrc.update(b);
        }
        return b;
    }

    /** A little-endian 32-bit number of a gzip member's {@code part}. */
    private long uint32(String part) throws IOException {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (long) next(part) << (8 * i);
        }
        return value;
    }

    /** The next byte of a gzip member's {@code part}; input ending before it is a cut. */
    private int next(String part) throws IOException {
        if (!more()) {
            throw new EOFException("the gzip stream ends inside the " + part + " of member " + (members + 1));
        }
        return buffer[pos++] & 0xff;
    }

    /** Whether a byte of input is left, reading more when the buffer is used up. */
    private boolean more() throws IOException {
        while (pos == limit) {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            limit = n;
        }
        return true;
    }

    private void finish() {
        state = State.DONE;
        inflater.end();
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            inflater.end();
        }
    }
}
