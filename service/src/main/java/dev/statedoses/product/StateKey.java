package dev.statedoses.product;

import dev.statedoses.text.Printable;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import java.util.regex.Pattern;

/**
 * What may name a state in a request ({@code /ratios/{state}}, {@code ?state=}): a USPS code or a
 * state name, letters, spaces and the odd dot, surrounding whitespace stripped. Nothing else
 * reaches a lookup, in the snapshot or in SQL. The route and the fast path both ask here.
 */
final class StateKey {

    private static final Pattern STATE_KEY = Pattern.compile("[A-Za-z][A-Za-z .]{0,39}");

    private StateKey() {
    }

    /** Whether {@code key} (stripped) may name a state. */
    static boolean isValid(String key) {
        return STATE_KEY.matcher(key).matches();
    }

    /** {@code value} stripped, when it may name a state; otherwise a 400 problem. */
    static String parse(String value) {
        String key = value.strip();
        if (!isValid(key)) {
            throw new ProblemException(Problem.of(400, "invalid-state", "Invalid state",
                "'" + Printable.shorten(key, 40)
                    + "' is not a state: use a USPS code (NY) or a full name (New York)"));
        }
        return key;
    }
}
