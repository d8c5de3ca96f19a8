package dev.statedoses.product;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Content negotiation between the two formats the product comes in, as RFC 9110 (section 12.5.1)
 * reads an Accept header: each media range may carry a weight {@code q} from 0 to 1 (1 when
 * absent), and a format takes the weight of the most specific range that matches it, 0 when none
 * does. CSV is chosen only when it weighs more than JSON, so JSON, the default, wins ties, a
 * missing header and a header naming neither.
 *
 * <p>What matches, and how specific it is:
 * <ul>
 *   <li>A range matches a format by its type and subtype ({@code text/csv}, {@code text/*},
 *       {@code *&#47;*}) and by its media-type parameters, those before {@code q}: each must be one
 *       the format has. CSV is sent as {@code text/csv; charset=utf-8}, and JSON is UTF-8 by
 *       definition (RFC 8259), so both have {@code charset=utf-8} (its value in any case, quoted
 *       or not) and nothing else: {@code text/csv;charset=latin1} or {@code text/csv;level=1}
 *       names a CSV this service does not send, and gives ours no weight.</li>
 *   <li>A named subtype is more specific than {@code type/*}, which is more specific than
 *       {@code *&#47;*}; at the same level, a range with more parameters is the more specific
 *       ({@code text/csv;charset=utf-8} over {@code text/csv}).</li>
 *   <li>Ranges equally specific for a format that give it different weights (the same range
 *       twice) count at the lowest of them: the choice never depends on the ranges' order.</li>
 *   <li>A malformed element (no type or subtype, a parameter without a name or a value, a weight
 *       that is not a number from 0 to 1, an unclosed quote) is passed over, never guessed at.
 *       Empty parameters ({@code ;;}) and parameters after {@code q} (extensions) are ignored.</li>
 * </ul>
 */
final class AcceptHeader {

    /** Specificity of a matching range: its level (2 subtype, 1 type/*, 0 *&#47;*) times this, plus its parameters. */
    private static final int LEVEL = 1_000;

    private AcceptHeader() {
    }

    /** Whether {@code accept} (null when absent) prefers text/csv to application/json. */
    static boolean prefersCsv(String accept) {
        if (accept == null || accept.isEmpty()) {
            return false;
        }
        Weight csv = new Weight("text", "csv");
        Weight json = new Weight("application", "json");
        // One pass over the header weighs both formats (it is read on every product request).
        for (String element : split(accept, ',')) {
            Range range = Range.parse(element);
            if (range != null) {
                csv.offer(range);
                json.offer(range);
            }
        }
        return csv.weight > json.weight;
    }

    /**
     * One media range as read: type and subtype in lower case, how many media-type parameters it
     * has, whether both formats are sent with all of them (only {@code charset=utf-8} is), its weight.
     */
    private record Range(String type, String subtype, int parameters, boolean sentWith, double q) {

        /** The range {@code element} writes, or null when it is malformed. */
        static Range parse(String element) {
            List<String> parts = split(element, ';');
            if (parts == null) {
                return null; // an unclosed quote
            }
            String media = parts.get(0).strip().toLowerCase(Locale.ROOT);
            int slash = media.indexOf('/');
            if (slash <= 0 || slash == media.length() - 1 || media.indexOf('/', slash + 1) >= 0) {
                return null; // not a media range
            }
            String type = media.substring(0, slash).strip();
            String subtype = media.substring(slash + 1).strip();
            if (type.isEmpty() || subtype.isEmpty() || (type.equals("*") && !subtype.equals("*"))) {
                return null;
            }
            int parameters = 0;
            boolean sentWith = true;
            double q = 1;
            for (int i = 1; i < parts.size(); i++) {
                String parameter = parts.get(i).strip();
                if (parameter.isEmpty()) {
                    continue; // ";;" or a trailing ";"
                }
                int equals = parameter.indexOf('=');
                if (equals <= 0) {
                    return null; // no name, or no value
                }
                String name = parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT);
                String value = unquoted(parameter.substring(equals + 1).strip());
                if (name.isEmpty() || value == null) {
                    return null;
                }
                if (name.equals("q")) {
                    Double weight = quality(value);
                    if (weight == null) {
                        return null;
                    }
                    q = weight;
                    break; // what follows the weight are extensions, not the media type's parameters
                }
                parameters++;
                // Both formats have charset=utf-8 and no other parameter.
                sentWith &= name.equals("charset") && value.equalsIgnoreCase("utf-8");
            }
            return new Range(type, subtype, parameters, sentWith, q);
        }
    }

    /** The weight the header gives one format: that of its most specific matching range. */
    private static final class Weight {
        private final String type;
        private final String subtype;
        private int specificity = -1;
        private double weight;

        Weight(String type, String subtype) {
            this.type = type;
            this.subtype = subtype;
        }

        void offer(Range range) {
            int level;
            if (range.type().equals(type) && range.subtype().equals(subtype)) {
                level = 2;
            } else if (range.type().equals(type) && range.subtype().equals("*")) {
                level = 1;
            } else if (range.type().equals("*") && range.subtype().equals("*")) {
                level = 0;
            } else {
                return;
            }
            if (!range.sentWith()) {
                return;
            }
            int matched = level * LEVEL + Math.min(range.parameters(), LEVEL - 1);
            if (matched > specificity) {
                specificity = matched;
                weight = range.q();
            } else if (matched == specificity) {
                weight = Math.min(weight, range.q());
            }
        }
    }

    /**
     * A qvalue (RFC 9110, 12.4.2: "0" to "1" with up to three decimals; more decimals are read too,
     * as clients write them), or null when {@code value} is not a decimal number from 0 to 1 (Java's
     * own number syntax, "1e-1", "0x1p-1", "0.5f", is not HTTP's).
     */
    private static Double quality(String value) {
        int dots = 0;
        int digits = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c >= '0' && c <= '9') {
                digits++;
            } else {
                return null;
            }
        }
        if (digits == 0 || dots > 1) {
            return null;
        }
        double q = Double.parseDouble(value);
        return q <= 1 ? q : null;
    }

    /** A parameter's value without its quotes (a quoted-string's backslash escapes undone), or null when badly quoted. */
    private static String unquoted(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (value.charAt(0) != '"') {
            return value.indexOf('"') < 0 ? value : null;
        }
        StringBuilder plain = new StringBuilder();
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                plain.append(value.charAt(++i));
            } else if (c == '"') {
                return i == value.length() - 1 ? plain.toString() : null;
            } else {
                plain.append(c);
            }
        }
        return null; // no closing quote
    }

    /**
     * {@code text} cut at each {@code separator} outside a quoted string (a charset may be written
     * {@code "utf-8"}, and a quoted value may hold a comma or a semicolon); null when a quote is
     * left open at the end (then the whole is one malformed piece).
     */
    private static List<String> split(String text, char separator) {
        List<String> pieces = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == separator) {
                pieces.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            if (separator == ',') {
                pieces.add(text.substring(start)); // the rest is one element, which the range's reading refuses
                return pieces;
            }
            return null;
        }
        pieces.add(text.substring(start));
        return pieces;
    }
}
