package dev.statedoses.product;

import java.util.Locale;

/**
 * Content negotiation between the two formats the product comes in, as RFC 9110 (section 12.5.1)
 * reads an Accept header: each media range may carry a weight {@code q} from 0 to 1 (1 when
 * absent); a format takes the weight of the most specific range that matches it (text/csv before
 * text/* before *&#47;*), and 0 when none does. CSV is chosen only when it weighs more than JSON,
 * so JSON, the default, wins ties, a missing header and a header naming neither.
 */
final class AcceptHeader {

    private AcceptHeader() {
    }

    /** Whether {@code accept} (null when absent) prefers text/csv to application/json. */
    static boolean prefersCsv(String accept) {
        if (accept == null) {
            return false;
        }
        Weight csv = new Weight("text", "csv");
        Weight json = new Weight("application", "json");
        // One pass over the header weighs both formats (it is read on every product request).
        for (String range : accept.split(",")) {
            // With -1, an element of separators only (";;;") still has a first part, "": split's
            // default drops trailing empty strings, and left none there (a 500 on every ratios route).
            String[] parts = range.split(";", -1);
            String media = parts[0].strip().toLowerCase(Locale.ROOT);
            int slash = media.indexOf('/');
            if (slash <= 0 || slash == media.length() - 1) {
                continue; // not a media range: ignored, as a malformed element should be
            }
            String rangeType = media.substring(0, slash);
            String rangeSubtype = media.substring(slash + 1);
            csv.offer(rangeType, rangeSubtype, parts);
            json.offer(rangeType, rangeSubtype, parts);
        }
        return csv.weight > json.weight;
    }

    /** The weight the header gives one type/subtype: that of its most specific matching range. */
    private static final class Weight {
        private final String type;
        private final String subtype;
        private int specificity = -1;
        private double weight;

        Weight(String type, String subtype) {
            this.type = type;
            this.subtype = subtype;
        }

        void offer(String rangeType, String rangeSubtype, String[] parts) {
            int matched;
            if (rangeType.equals(type) && rangeSubtype.equals(subtype)) {
                matched = 2;
            } else if (rangeType.equals(type) && rangeSubtype.equals("*")) {
                matched = 1;
            } else if (rangeType.equals("*") && rangeSubtype.equals("*")) {
                matched = 0;
            } else {
                return;
            }
            if (matched > specificity) {
                Double q = quality(parts);
                if (q != null) {
                    specificity = matched;
                    weight = q;
                }
            }
        }
    }

    /** The range's q parameter (1 when absent), or null when it is not a number from 0 to 1. */
    private static Double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.length() >= 2 && (parameter.charAt(0) == 'q' || parameter.charAt(0) == 'Q')
                    && parameter.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(parameter.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return 1.0;
    }
}
