package dev.statedoses.source;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Reads every line end (CRLF, LF or a lone CR) as LF, so that the CSV parser sees one kind of line
 * end however the file mixes them. A file is not always written by one program: rows appended
 * with LF to a CRLF export are still lines. (univocity detects one line separator from the first
 * line; the lines of the other kind then ran together into one record, a valid file was rejected
 * as having "more than 512 fields", and errors further down were reported on the wrong line.)
 * Lines are counted as {@link BodyShape} counts them: each CRLF, LF or CR is one.
 */
final class LineEnds extends FilterReader {

    /** The last character read was a CR, read as LF: an LF right after it ends the same line. */
    private boolean afterCr;

    LineEnds(Reader in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        char[] one = new char[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                return n;
            }
            int out = offset;
            for (int i = offset; i < offset + n; i++) {
                char c = buffer[i];
                if (c == '\n' && afterCr) {
                    afterCr = false;
                    continue;
                }
                afterCr = c == '\r';
                buffer[out++] = afterCr ? '\n' : c;
            }
            if (out > offset) {
                return out - offset;
            }
            // Only the LF of a CRLF split across two reads: read on rather than answer 0 characters.
        }
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("a source is read, never skipped");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
