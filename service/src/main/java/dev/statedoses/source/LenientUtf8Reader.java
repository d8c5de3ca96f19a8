package dev.statedoses.source;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8, reading any byte that is not valid UTF-8 as Windows-1252, Latin-1 with printable
 * characters where Latin-1 has invisible controls (0x80 to 0x9F). The Census files the county
 * population comes from are Latin-1 ("Do\u00f1a Ana"); the lake's copies are UTF-8; a file saved by
 * Excel on Windows is Windows-1252 ("O\u2019Brien", whose apostrophe is 0x92: read as Latin-1 it
 * was stored as a control character, invisible in psql). A name must load right either way, and a
 * population total never depends on it. A leading byte-order mark is dropped.
 */
final class LenientUtf8Reader extends Reader {

    private static final int MAX_SEQUENCE = 4;
    /**
     * Windows-1252's characters for the bytes 0x80 to 0x9F; the five it leaves unused (0x81, 0x8D,
     * 0x8F, 0x90, 0x9D) stay Latin-1's, as Windows itself decodes them. Every other byte is Latin-1's.
     */
    private static final String WINDOWS_1252_HIGH = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021"
        + "\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014"
        + "\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    private final SourceStream in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(16 * 1024).flip();
    private boolean eof;
    private boolean atStart = true;

    LenientUtf8Reader(SourceStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (atStart) {
            checkEncoding();
        }
        CharBuffer out = CharBuffer.wrap(target, offset, length);
        while (out.hasRemaining()) {
            if (!eof && bytes.remaining() < MAX_SEQUENCE) {
                fill();
            }
            CoderResult result = utf8.decode(bytes, out, eof);
            if (result.isError()) {
                for (int i = 0; i < result.length() && out.hasRemaining(); i++) {
                    out.put(windows1252(bytes.get()));
                }
            } else if (result.isOverflow() || eof || out.position() > offset) {
                break;
            }
        }
        int read = out.position() - offset;
        if (atStart && read > 0) {
            atStart = false;
            if (target[offset] == '\uFEFF') {
                System.arraycopy(target, offset + 1, target, offset, read - 1);
                read--;
                if (read == 0) {
                    return read(target, offset, length);
                }
            }
        }
        return read == 0 && eof ? -1 : read;
    }

    /** A byte that is not UTF-8, read as Windows-1252 (Latin-1 maps every byte to the code point of its value). */
    static char windows1252(byte b) {
        int value = b & 0xff;
        return value >= 0x80 && value < 0xA0 ? WINDOWS_1252_HIGH.charAt(value - 0x80) : (char) value;
    }

    /**
     * Reads the body's first bytes (up to {@link TextEncoding#SNIFF_BYTES}, fewer at its end) and
     * rejects what is not text before the CSV reader sees it: UTF-16 read as UTF-8 would be a NUL
     * between every letter, and a binary file garbage.
     */
    private void checkEncoding() throws IOException {
        while (!eof && bytes.remaining() < TextEncoding.SNIFF_BYTES) {
            fill();
        }
        String problem = TextEncoding.problem(bytes.array(), bytes.remaining());
        if (problem != null) {
            throw SourceException.content(in.source(), in.url(), 1L, null, problem);
        }
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
