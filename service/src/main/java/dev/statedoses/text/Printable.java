package dev.statedoses.text;

/**
 * Text from outside (a source's bytes, a request's path or parameter, a driver's message) made safe
 * to show in a log line, a problem detail or the run log: control characters are written as
 * escapes ({@code \n}, {@code \u0000}), so such text can neither forge a log line nor carry a NUL
 * that PostgreSQL cannot store, and it is cut to a length a reader can take in. Invisible
 * characters are escaped too (a non-breaking or zero-width space, a byte-order mark), so that a
 * quoted value shows what makes it differ: {@code 'Texas\u00a0'}, not {@code 'Texas '}.
 */
public final class Printable {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {
    }

    /** {@code text} with every control and invisible character escaped; null stays null. */
    public static String escape(String text) {
        if (text == null || !needsEscape(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        appendEscaped(out, text, 0, text.length(), false);
        return out.toString();
    }

    /**
     * {@code text} escaped and cut after {@code max} characters of the original, with the
     * number of characters left out ({@code "abc… (70000 characters)"}), for quoting a value.
     */
    public static String shorten(String text, int max) {
        return shorten(text, max, false);
    }

    /** {@code text} escaped (beyond Latin-1 too, if asked) and cut after {@code max} characters. */
    private static String shorten(String text, int max, boolean beyondLatin1) {
        if (text == null) {
            return null;
        }
        // Never cut a surrogate pair in two: half a character is not text.
        int end = text.length() <= max ? text.length()
            : Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        StringBuilder out = new StringBuilder(end + 32);
        appendEscaped(out, text, 0, end, beyondLatin1);
        return end == text.length() ? out.toString()
            : out.append("… (").append(text.length()).append(" characters)").toString();
    }

    /**
     * Whether {@code c} is a control character (C0, DEL or C1), a line or paragraph separator, or
     * a bidirectional formatting character (which can make text read other than it is).
     */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * Whether {@code c} prints as a plain space or as nothing though it is neither: a space other
     * than the ASCII one (no-break, thin, ideographic...) or a format character (zero-width space,
     * byte-order mark, soft hyphen). Only escaped when shown, never a reason to reject a value.
     */
    static boolean isInvisible(char c) {
        if (c < '\u00a0') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.FORMAT;
    }

    /**
     * A name from a source (a jurisdiction, a state, a county), {@link #shorten shortened} and with
     * every character beyond Latin-1 escaped too. The names of these sources are written in
     * Latin-1 ('Doña Ana', 'Mayagüez'), and a look-alike from elsewhere (a Cyrillic 'о', the
     * Kelvin sign 'K', a fullwidth 'Ｔ', a dotless 'ı', a mathematical '𝖳') would otherwise print
     * exactly as the name it is not, and a message about it would read "'Vermont' is not a state".
     */
    public static String name(String text, int max) {
        return shorten(text, max, true);
    }

    private static boolean escaped(char c) {
        return isControl(c) || isInvisible(c);
    }

    private static boolean needsEscape(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (escaped(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static void appendEscaped(StringBuilder out, String text, int from, int to, boolean beyondLatin1) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!escaped(c) && !(beyondLatin1 && c > '\u00ff')) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                    .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            }
        }
    }
}
