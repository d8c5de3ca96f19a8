package dev.statedoses.source;

import dev.statedoses.text.Printable;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a field of a source becomes a typed value. Every rule accepts what the CDC and Census have
 * really published and rejects the rest with a message fit for an operator (docs/failures.md,
 * "The failure catalogue", lists both).
 */
public final class SourceValues {

    static final long MAX_COUNT = 100_000_000_000L;
    private static final Pattern LEADING_ZEROS = Pattern.compile("^0+(?=\\d)");
    private static final Pattern PLAIN_COUNT = Pattern.compile("\\d+");
    private static final Pattern GROUPED_COUNT = Pattern.compile("\\d{1,3}(,\\d{3})+");
    /**
     * A whole count as pandas writes a float column ("41220.0"), or a spreadsheet with two
     * decimals ("41220.00"). Not three zeros: "5.000" is how much of Europe writes five thousand.
     */
    private static final Pattern ZERO_FRACTION = Pattern.compile("\\.0{1,2}$");
    /**
     * The CDC's footnote marks at the end of a name: asterisks, in one group ({@code Alaska**}) or
     * several joined by commas ({@code Alaska**,***}, as the rows of March 2021 have them).
     */
    private static final Pattern FOOTNOTE_MARKS = Pattern.compile("\\s*\\*[*,\\s]*$");
    /**
     * A date in any form publishers and spreadsheets write one unambiguously, with at most a time
     * of midnight: year first ({@code 2021-06-21}, {@code 2021/06/21}), the US order
     * ({@code 06/21/2021}, {@code 6/21/21} as a short date, the century 2000), or a month's English
     * name ({@code 21-Jun-2021}, {@code 21 June 2021}). Midnight as pandas, Excel and the API write it
     * ({@code 00:00}, {@code 0:00:00}, {@code 00:00:00.000}), in 12-hour form as Socrata's CSV export
     * writes its timestamps ({@code 12:00:00 AM}), with a zone or offset after it or not
     * ({@code Z}, {@code +00:00}, {@code -05:00}, {@code UTC}; an offset as the world's zones have
     * them, from -14:00 to +14:00 with minutes under 60, so {@code +99:00} is no date): a date at
     * midnight in any zone is that date there. A time other than midnight is not a week: shifted
     * by a zone, it may be a day off.
     */
    private static final Pattern OTHER_WEEK = Pattern.compile(
        "(?:(?<y>\\d{4})(?<ys>[-/])(?<ym>\\d{1,2})\\k<ys>(?<yd>\\d{1,2})"
            + "|(?<um>\\d{1,2})/(?<ud>\\d{1,2})/(?<uy>\\d{4}|\\d{2})"
            + "|(?<nd>\\d{1,2})(?<ns>[- ])(?<nm>\\p{Alpha}{3,9})\\k<ns>(?<ny>\\d{4}))"
            + "(?:(?:T|\\s+)(?:0?0:00(?::00(?:\\.0{1,9})?)?|12:00(?::00(?:\\.0{1,9})?)?\\s*(?:AM|am))"
            + "(?:\\s*(?:Z|UTC|GMT|[+-](?:0\\d|1[0-4])(?::?[0-5]\\d)?))?)?");
    /** COVID-19 vaccines were first allocated in December 2020: an earlier week is a wrong date. */
    static final LocalDate FIRST_POSSIBLE_WEEK = LocalDate.of(2020, 1, 1);
    /** Real names (of jurisdictions, states, counties) and ids are a few dozen characters at most. */
    static final int MAX_NAME = 200;

    private SourceValues() {
    }

    /**
     * A count of doses or people: a whole number, zero or more. Thousands separators are allowed
     * ({@code "63,300"}, as the CDC's early wide tables had), and so is a fraction of zeros
     * ({@code "63300.0"}, as pandas writes a column it read as floats); anything else is an error.
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
        // "41220.0" is the whole number 41220 (messages still quote the field as written);
        // "41220.5" stays an error below.
        String number = ZERO_FRACTION.matcher(text).replaceFirst("");
        if (PLAIN_COUNT.matcher(number).matches()) {
            digits = number;
        } else if (GROUPED_COUNT.matcher(number).matches()) {
            digits = number.replace(",", "");
        } else if (isNegative(number)) {
            // "-0" is no negative count, but no count carries a sign either (a "+5" is refused too).
            throw new IllegalArgumentException(number.substring(1).replace(",", "").matches("0+")
                ? "the count " + quote(text) + " has a minus sign, which no count has"
                : "the count " + quote(text) + " is negative");
        } else {
            throw new IllegalArgumentException("'" + quote(text) + "' is not a whole number");
        }
        // Far above any real count (the world has 8 billion people), and low enough that sums over
        // millions of rows cannot overflow the warehouse's 64-bit integers.
        digits = LEADING_ZEROS.matcher(digits).replaceFirst("");
        if (digits.length() > 12 || Long.parseLong(digits) > MAX_COUNT) {
            throw new IllegalArgumentException("the count " + quote(text) + " is larger than any real count ("
                + MAX_COUNT + ")");
        }
        return Long.parseLong(digits);
    }

    /** A minus sign before what would be a count ({@code -5}, {@code -1,234}): not a lone {@code -}. */
    private static boolean isNegative(String number) {
        String rest = number.startsWith("-") ? number.substring(1) : "";
        return PLAIN_COUNT.matcher(rest).matches() || GROUPED_COUNT.matcher(rest).matches();
    }

    /**
     * The Monday of an allocation week: the API's floating timestamp
     * ({@code 2021-06-21T00:00:00.000}), a plain ISO date, the CDC export's {@code 06/21/2021}
     * (also {@code 6/21/2021}, as spreadsheets write it), or another unambiguous form
     * ({@link #OTHER_WEEK}). A time other than midnight, a week
     * before 2020 (no vaccine was allocated then) and a day other than Monday are wrong values,
     * not weeks. A later week is
     * taken as it is: allocations are planned ahead, and the growth benchmark's synthetic sources
     * (bench/generate_sources.py) run centuries ahead to keep their copies' weeks apart.
     */
    public static LocalDate week(String field) {
        String text = field == null ? "" : field.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the week is empty");
        }
        LocalDate week;
        boolean isoForm = false;
        try {
            if (text.length() >= 10 && text.charAt(4) == '-' && isDigits(text, 0, 4) && isDigits(text, 5, 7)
                    && isDigits(text, 8, 10) && text.charAt(7) == '-'
                    && (text.length() == 10 || text.startsWith("T00:00:00.000", 10) && text.length() == 23)) {
                // The API's form, read without a regex (every row has one).
                week = LocalDate.of(Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 5, 7, 10),
                    Integer.parseInt(text, 8, 10, 10));
                isoForm = true;
            } else {
                week = otherForms(text);
            }
        } catch (DateTimeException e) {
            throw notADate(text); // 2021-02-30 too
        }
        if (week.isBefore(FIRST_POSSIBLE_WEEK)) {
            throw new IllegalArgumentException("the week " + said(text, week, isoForm)
                + " is before 2020: no vaccine was allocated before December 2020");
        }
        if (week.getDayOfWeek() != DayOfWeek.MONDAY) {
            // The CDC dates every allocation week by its Monday. Any other day would start a week
            // of its own in the weekly series and in as_of, splitting the real one; it is what a
            // date shifted by a time zone, or a day and month read the wrong way round, looks like.
            throw new IllegalArgumentException("the week " + said(text, week, isoForm) + " is a "
                + week.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + ": allocation weeks are dated "
                + "by their Monday (a date shifted by a time zone, or day and month swapped?)");
        }
        return week;
    }

    /**
     * A refused week as the file wrote it and as it was read, unless the file wrote it in ISO form:
     * {@code 04/01/2021} or {@code 6/21/69} is a reading the service chose (the US order, the
     * century 2000), and a message naming only the date it chose would name a date no line holds.
     */
    private static String said(String text, LocalDate week, boolean isoForm) {
        if (isoForm) {
            return week.toString();
        }
        Matcher date = OTHER_WEEK.matcher(text);
        boolean shortYear = date.matches() && date.group("uy") != null && date.group("uy").length() == 2;
        return "'" + quote(text) + "' (read as " + week
            + (shortYear ? ", its two-digit year in the century 2000" : "") + ")";
    }

    private static LocalDate otherForms(String text) {
        Matcher date = OTHER_WEEK.matcher(text);
        if (!date.matches()) {
            throw notADate(text);
        }
        if (date.group("y") != null) {
            return LocalDate.of(Integer.parseInt(date.group("y")), Integer.parseInt(date.group("ym")),
                Integer.parseInt(date.group("yd")));
        }
        if (date.group("uy") != null) {
            String year = date.group("uy");
            return LocalDate.of(year.length() == 2 ? 2000 + Integer.parseInt(year) : Integer.parseInt(year),
                Integer.parseInt(date.group("um")), Integer.parseInt(date.group("ud")));
        }
        return LocalDate.of(Integer.parseInt(date.group("ny")), month(date.group("nm"), text),
            Integer.parseInt(date.group("nd")));
    }

    /** A month's English name or its three-letter abbreviation, in any case ({@code Jun}, {@code JUNE}). */
    private static int month(String name, String text) {
        for (Month month : Month.values()) {
            if (name.equalsIgnoreCase(month.getDisplayName(TextStyle.FULL, Locale.ENGLISH))
                    || name.equalsIgnoreCase(month.getDisplayName(TextStyle.SHORT, Locale.ENGLISH))) {
                return month.getValue();
            }
        }
        throw notADate(text);
    }

    /**
     * A week in no form the service reads. The forms named are some of those it reads (every one
     * of them is, a test holds), from each family: ISO, year first with slashes, the US order,
     * its two-digit year, the month by name. It named three, and a reader took them for all.
     */
    private static IllegalArgumentException notADate(String text) {
        return new IllegalArgumentException("'" + quote(text) + "' is not a date (expected a form such as "
            + DATE_FORMS + "; a time, if any, at midnight)");
    }

    /** Dates of the forms {@link #notADate} names, all 21 June 2021. */
    static final String DATE_FORMS = "2021-06-21T00:00:00.000, 2021-06-21, 2021/06/21, 06/21/2021, 6/21/21 or 21-Jun-2021";

    /**
     * A jurisdiction or state name as the reference table knows it. In March 2021 the CDC put
     * footnote asterisks on names ({@code Alaska**}, {@code New York City***}), for two notes at
     * once separated by a comma ({@code Alaska**,***}); they mark footnotes, not another
     * jurisdiction, so they are dropped. A comma without an asterisk before it stays part of the
     * name ({@code New York City, NY} is a name the reference does not know).
     */
    public static String name(String field) {
        String stripped = field == null ? "" : field.strip();
        String text = stripped.isEmpty() || stripped.charAt(stripped.length() - 1) != '*'
            ? stripped // no footnote mark: no regex needed
            : FOOTNOTE_MARKS.matcher(stripped).replaceFirst("");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the name is empty");
        }
        return text(text);
    }

    /**
     * A text value as it stands (an id, or a name): any text without control characters, up to
     * {@link #MAX_NAME} characters. A control character in a name is a damaged file, and would
     * reach the warehouse, the API and the logs.
     */
    public static String text(String field) {
        String text = field == null ? "" : field.strip();
        if (text.length() > MAX_NAME) {
            throw new IllegalArgumentException("the value '" + quote(text) + "' is " + text.length()
                + " characters long: no name or id in these sources is longer than " + MAX_NAME);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("the value '" + quote(text) + "' holds a control character");
            }
        }
        return text;
    }

    /** A value of the source, quoted in a message: escaped and, when long, cut. */
    private static String quote(String text) {
        return Printable.shorten(text, 40);
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
