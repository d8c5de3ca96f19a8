package dev.statedoses.source;

/**
 * Watches a CSV body byte by byte as it streams past, to tell two things the CSV reader hides: a
 * body that ends where a complete file cannot (inside a quoted value, or inside a line), and a
 * control byte anywhere in it (the reader drops a line that starts with NUL and trims control
 * bytes off the ends of values, so a damaged file would load quietly).
 *
 * <p>It works on bytes: the characters that shape CSV (quote, comma, CR, LF) are ASCII, and no
 * byte of a multi-byte UTF-8 character is below 0x80, so UTF-8 and Latin-1 bodies read alike.
 * It follows RFC 4180 as the reader does: a quote opens a quoted value only at the start of a
 * field (after blanks), a doubled quote inside one is a quote, and line breaks inside one are
 * part of the value.
 */
final class BodyShape {

    /** Where the body stopped in the middle of a record: the line it ended on, and why it is cut. */
    record Cut(long line, long recordLine, String reason) {
    }

    /** The first control byte of the body: its line, the 0-based field it is in, and its value. */
    record Damage(long line, int field, int value) {
    }

    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN }

    private State state = State.FIELD_START;
    private long line = 1;
    private long recordLine = 1;
    private long quoteLine;
    private int field;
    private boolean afterCr;
    private boolean lineHasText;
    private boolean anyByte;
    private int last = -1;
    private Damage damage;
    private Cut cut;
    private boolean ended;
    private boolean lastLineEnded;

    void observe(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            observe(bytes[i] & 0xff);
        }
    }

    private void observe(int b) {
        anyByte = true;
        if (b == '\n' && afterCr) {
            // the LF of a CRLF: the CR already ended the line
            afterCr = false;
            last = b;
            return;
        }
        afterCr = b == '\r';
        boolean lineBreak = b == '\n' || b == '\r';
        if (damage == null && isControl(b)) {
            damage = new Damage(line, field, b);
        }
        switch (state) {
            case FIELD_START -> {
                if (b == '"') {
                    state = State.QUOTED;
                    quoteLine = line;
                } else if (b == ',') {
                    field++;
                } else if (lineBreak) {
                    endRecordIfAny();
                } else if (b != ' ' && b != '\t') {
                    state = State.UNQUOTED;
                }
            }
            case UNQUOTED -> {
                if (b == ',') {
                    state = State.FIELD_START;
                    field++;
                } else if (lineBreak) {
                    endRecordIfAny();
                }
            }
            case QUOTED -> {
                if (b == '"') {
                    state = State.QUOTE_SEEN;
                }
            }
            case QUOTE_SEEN -> {
                if (b == '"') {
                    state = State.QUOTED; // a doubled quote: a quote inside the value
                } else if (b == ',') {
                    state = State.FIELD_START;
                    field++;
                } else if (lineBreak) {
                    endRecordIfAny();
                } else if (b != ' ' && b != '\t') {
                    state = State.UNQUOTED; // text after a closing quote: the reader keeps it as text
                }
            }
        }
        if (lineBreak) {
            line++;
            lineHasText = false;
            if (state == State.FIELD_START && field == 0) {
                recordLine = line;
            }
        } else if (b != ' ' && b != '\t') {
            lineHasText = true;
        }
        last = b;
    }

    private void endRecordIfAny() {
        state = State.FIELD_START;
        field = 0;
    }

    /** Control characters other than tab, CR and LF (which CSV uses) are damage, not text. */
    private static boolean isControl(int b) {
        return (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f;
    }

    /** The body has ended: works out whether it was cut in the middle of a record. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        // Whether a line break follows the body's last text (lines of blanks after it aside): the
        // one thing a cut in transfer leaves undone, as it falls wherever the connection stopped,
        // almost always inside a line. A body cut exactly at a line end is told by its length or
        // chunked end (ReadAhead), or not at all (a shorter, valid file).
        lastLineEnded = state != State.QUOTED && (!lineHasText || last == '\n' || last == '\r');
        if (!anyByte) {
            return;
        }
        if (state == State.QUOTED) {
            cut = new Cut(line, recordLine, quoteLine == line
                ? "the body ends inside a quoted value"
                : "the body ends inside a quoted value that opens on line " + quoteLine);
        } else if (last != '\n' && last != '\r' && lineHasText && state != State.QUOTE_SEEN) {
            // A complete file ends each line with a line break; a last line without one whose
            // last value is not closed by a quote may have lost the rest of that value.
            cut = new Cut(line, recordLine, "the body ends in the middle of a line, without a line break "
                + "after its last value");
        }
    }

    /**
     * Whether the body's last line is whole: its text (if the body has any) is followed by a line
     * break, maybe with blank lines after. Known once the body has {@link #ended}; false before.
     * A short row on such a line is a content fault (a footer, a note), not a download cut short.
     */
    boolean lastLineEnded() {
        return ended && lastLineEnded;
    }

    /** The line the next byte would be on: where the body stands (or stopped). */
    long line() {
        return line;
    }

    boolean ended() {
        return ended;
    }

    /** Set once the body has ended in the middle of a record; null otherwise (or before the end). */
    Cut cut() {
        return cut;
    }

    /** The first control byte seen so far, or null. */
    Damage damage() {
        return damage;
    }
}
