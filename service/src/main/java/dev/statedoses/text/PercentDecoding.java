package dev.statedoses.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Percent-decoding (RFC 3986) as UTF-8, strictly, for what a lenient decoder would read otherwise
 * than meant: a query parameter (web.StrictQuery), a part of DATABASE_URL. Every {@code %} starts
 * an escape of two ASCII hex digits, and every run of escapes is well-formed UTF-8 (Java's decoder
 * refuses overlong forms, encoded surrogates and bytes a character cannot start or continue with).
 * Each caller says what is wrong in its own words, from {@link Malformed}.
 */
public final class PercentDecoding {

    private PercentDecoding() {
    }

    /** {@code text} decoded; a {@code +} is a space when {@code plusIsSpace} (a form-encoded query). */
    public static String decode(String text, boolean plusIsSpace) throws Malformed {
        if (text.indexOf('%') < 0) {
            return plusIsSpace ? text.replace('+', ' ') : text;
        }
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || !HexFormat.isHexDigit(text.charAt(i + 1))
                        || !HexFormat.isHexDigit(text.charAt(i + 2))) {
                    throw new Malformed(i);
                }
                bytes.write(HexFormat.fromHexDigit(text.charAt(i + 1)) * 16 + HexFormat.fromHexDigit(text.charAt(i + 2)));
                i += 2;
            } else {
                flush(bytes, out);
                out.append(plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder out) throws Malformed {
        if (bytes.size() == 0) {
            return;
        }
        try {
            out.append(StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray())));
        } catch (CharacterCodingException e) {
            throw new Malformed(-1);
        }
        bytes.reset();
    }

    /** A percent-encoding that cannot be read: a {@code %} at {@link #index()} without two hex digits, or (-1) escapes that are not UTF-8. */
    public static final class Malformed extends Exception {

        private final int index;

        Malformed(int index) {
            super(index < 0 ? "escapes that are not UTF-8" : "a % without two hex digits at index " + index, null,
                false, false);
            this.index = index;
        }

        /** Where the {@code %} without two hex digits is, or -1 when the escapes are not UTF-8. */
        public int index() {
            return index;
        }

        /** Whether the escapes are well-formed but the bytes they give are not UTF-8. */
        public boolean notUtf8() {
            return index < 0;
        }

        /** What is wrong, in the words of the API's problems: "… is not percent-encoded correctly: {reason}". */
        public String reason() {
            return notUtf8() ? "its escapes are not UTF-8 text" : "a % must be followed by two hex digits (a % itself is %25)";
        }
    }
}
