package dev.statedoses.product;

import dev.statedoses.text.Printable;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import java.util.regex.Pattern;

/**
 * What may name a state in a request ({@code /ratios/{state}}, {@code ?state=}): a USPS code or a
 * state name, letters, spaces and the odd dot, surrounding whitespace and spaces of any kind
 * trimmed. Nothing else reaches a lookup, in the snapshot or in SQL. The route and the fast path
 * both ask here.
 */
final class StateKey {

    private static final Pattern STATE_KEY = Pattern.compile("[A-Za-z][A-Za-z .]{0,39}");

    private StateKey() {
    }

    /** Whether {@code key} (trimmed) may name a state. */
    static boolean isValid(String key) {
        return STATE_KEY.matcher(key).matches();
    }

    /**
     * {@code value} without the whitespace and spaces around it: Java's whitespace and every
     * Unicode space separator, the no-break ones (U+00A0, U+2007, U+202F) included. Java's
     * {@code strip} leaves those, so a state pasted with a no-break space after it was refused
     * while one with an ideographic space (U+3000) was found.
     */
    static String trim(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && blank(value.charAt(start))) {
            start++;
        }
        while (end > start && blank(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean blank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** {@code value} trimmed, when it may name a state; otherwise a 400 problem. */
    static String parse(String value) {
        String key = trim(value);
        if (!isValid(key)) {
            throw new ProblemException(Problem.of(400, "invalid-state", "Invalid state",
                "'" + Printable.shorten(key, 40)
                    + "' is not a state: use a USPS code (NY) or a full name (New York)"));
        }
        return key;
    }
}
