package dev.statedoses.source;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * How a field of a source becomes a typed value. Every rule accepts what the CDC and Census have
 * really published (see PROGRESS.md) and rejects the rest with a message fit for an operator.
 */
public final class SourceValues {

    static final long MAX_COUNT = 100_000_000_000L;
    private static final Pattern LEADING_ZEROS = Pattern.compile("^0+(?=\\d)");
    private static final Pattern PLAIN_COUNT = Pattern.compile("\\d+");
    private static final Pattern GROUPED_COUNT = Pattern.compile("\\d{1,3}(,\\d{3})+");
    private static final Pattern FOOTNOTE_MARKS = Pattern.compile("\\s*\\*+$");
    private static final DateTimeFormatter US_DATE = DateTimeFormatter.ofPattern("MM/dd/uuuu");

    private SourceValues() {
    }

    /**
     * A count of doses or people: a whole number, zero or more. Thousands separators are allowed
     * ({@code "63,300"}, as the CDC's early wide tables had); anything else is an error.
     */
    public static long count(String field) {
        String text = field == null ? "" : field.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the count is empty");
        }
        // The usual field, a few plain digits, is parsed without a regex: this runs for every
        // count of every row (two million times at 300 times the real size).
        if (text.length() <= 12 && isDigits(text)) {
            long value = Long.parseLong(text);
            if (value > MAX_COUNT) {
                throw new IllegalArgumentException("the count " + text + " is larger than any real count ("
                    + MAX_COUNT + ")");
            }
            return value;
        }
        String digits;
        if (PLAIN_COUNT.matcher(text).matches()) {
            digits = text;
        } else if (GROUPED_COUNT.matcher(text).matches()) {
            digits = text.replace(",", "");
        } else if (text.startsWith("-")) {
            throw new IllegalArgumentException("the count " + text + " is negative");
        } else {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
        // Far above any real count (the world has 8 billion people), and low enough that sums over
        // millions of rows cannot overflow the warehouse's 64-bit integers.
        digits = LEADING_ZEROS.matcher(digits).replaceFirst("");
        if (digits.length() > 12 || Long.parseLong(digits) > MAX_COUNT) {
            throw new IllegalArgumentException("the count " + text + " is larger than any real count ("
                + MAX_COUNT + ")");
        }
        return Long.parseLong(digits);
    }

    /**
     * The Monday of an allocation week: the API's floating timestamp
     * ({@code 2021-06-21T00:00:00.000}), a plain ISO date, or the CDC export's {@code 06/21/2021}.
     */
    public static LocalDate week(String field) {
        String text = field == null ? "" : field.strip();
        try {
            if (text.length() >= 10 && text.charAt(4) == '-' && text.charAt(7) == '-'
                    && isDigits(text, 0, 4) && isDigits(text, 5, 7) && isDigits(text, 8, 10)) {
                // The API's form, read without a formatter (every row has one).
                return LocalDate.of(Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 5, 7, 10),
                    Integer.parseInt(text, 8, 10, 10));
            }
            if (text.length() >= 10 && text.charAt(4) == '-') {
                return LocalDate.parse(text.substring(0, 10));
            }
            if (text.length() == 10 && text.charAt(2) == '/') {
                return LocalDate.parse(text, US_DATE);
            }
        } catch (DateTimeException e) {
            // fall through to the one message for every malformed date (2021-02-30 too)
        }
        throw new IllegalArgumentException(text.isEmpty()
            ? "the week is empty"
            : "'" + text + "' is not a date (expected 2021-06-21T00:00:00.000, 2021-06-21 or 06/21/2021)");
    }

    /**
     * A jurisdiction or state name as the reference table knows it. In March 2021 the CDC put
     * footnote asterisks on names ({@code Alaska**}, {@code New York City***}); they mark a
     * footnote, not another jurisdiction, so they are dropped.
     */
    public static String name(String field) {
        String stripped = field == null ? "" : field.strip();
        if (!stripped.isEmpty() && stripped.charAt(stripped.length() - 1) != '*') {
            return stripped; // no footnote mark: no regex needed
        }
        String text = FOOTNOTE_MARKS.matcher(stripped).replaceFirst("");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the name is empty");
        }
        return text;
    }

    private static boolean isDigits(String text) {
        return !text.isEmpty() && isDigits(text, 0, text.length());
    }

    private static boolean isDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** A header as a key: case, spaces and punctuation ignored, so "_1st_dose_allocations" = "1st Dose Allocations". */
    static String headerKey(String header) {
        StringBuilder key = new StringBuilder();
        for (char c : (header == null ? "" : header).toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                key.append(Character.toLowerCase(c));
            }
        }
        return key.toString();
    }
}
