package dev.statedoses.util;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP dates (RFC 9110, section 5.6.7), the one place they are written and read: our own
 * Last-Modified, a client's If-Modified-Since, an upstream's Last-Modified and Retry-After.
 *
 * <p>We write IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}). We read it and the two
 * obsolete forms the RFC says a recipient MUST accept: RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT},
 * a two-digit year taken as the latest year with those digits that is not more than 50 years
 * ahead) and asctime ({@code Sun Nov  6 08:49:37 1994}, in UTC). Also a one-digit day in the first
 * two forms, as Java's RFC 1123 formatter writes it, names in any case, and what that formatter
 * reads besides (no weekday, a numeric offset such as {@code +0000}). A weekday that is not
 * the date's, a day the month does not have, or anything else is no date: the caller does what
 * the RFC says for an invalid one (ignores it, mostly).
 */
public final class HttpDate {

    /** IMF-fixdate: a two-digit day, always GMT. Java's RFC_1123_DATE_TIME drops the day's zero. */
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
    /** Also as Java's RFC 1123 formatter reads it: the weekday optional, a numeric offset for GMT. */
    private static final Pattern IMF = Pattern.compile(
        "(?:([A-Za-z]{3}), )?(\\d{1,2}) ([A-Za-z]{3}) (\\d{4}) " + TIME + " (GMT|[+-]\\d{4})");
    private static final Pattern RFC_850 = Pattern.compile(
        "([A-Za-z]{6,9}), (\\d{1,2})-([A-Za-z]{3})-(\\d{2}) " + TIME + " GMT");
    private static final Pattern ASCTIME = Pattern.compile(
        "([A-Za-z]{3}) ([A-Za-z]{3}) {1,2}(\\d{1,2}) " + TIME + " (\\d{4})");

    private static final Map<String, DayOfWeek> DAYS = new HashMap<>();
    private static final Map<String, Integer> MONTHS = new HashMap<>();

    static {
        for (DayOfWeek day : DayOfWeek.values()) {
            DAYS.put(day.getDisplayName(TextStyle.SHORT, Locale.US).toLowerCase(Locale.ROOT), day);
            DAYS.put(day.getDisplayName(TextStyle.FULL, Locale.US).toLowerCase(Locale.ROOT), day);
        }
        for (java.time.Month month : java.time.Month.values()) {
            MONTHS.put(month.getDisplayName(TextStyle.SHORT, Locale.US).toLowerCase(Locale.ROOT), month.getValue());
        }
    }

    private HttpDate() {
    }

    /** {@code at} as an IMF-fixdate, to the second (a fraction is dropped, as HTTP dates have none). */
    public static String format(Instant at) {
        return IMF_FIXDATE.format(at.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC));
    }

    /** {@code text} read as an HTTP date in any of the three forms; empty when it is none. */
    public static Optional<Instant> parse(String text) {
        return parse(text, Instant.now());
    }

    /** As {@link #parse(String)}, with {@code now} deciding the century of an RFC 850 date. */
    public static Optional<Instant> parse(String text, Instant now) {
        if (text == null) {
            return Optional.empty();
        }
        String value = text.strip();
        try {
            Matcher m = IMF.matcher(value);
            if (m.matches()) {
                long offset = offsetSeconds(m.group(8));
                return at(m.group(1), Integer.parseInt(m.group(4)), m.group(3), m.group(2), m, 5)
                    .map(local -> local.minusSeconds(offset));
            }
            m = RFC_850.matcher(value);
            if (m.matches()) {
                // RFC 9110: a date more than 50 years in the future is in the most recent past year
                // with the same last two digits. So the latest date with those digits not more than
                // 50 years ahead, judged by the date (its weekday aside), not by the year alone.
                int twoDigits = Integer.parseInt(m.group(4));
                int thisYear = Year.from(now.atZone(ZoneOffset.UTC)).getValue();
                Instant horizon = now.atZone(ZoneOffset.UTC).plusYears(50).toInstant();
                int century = thisYear - Math.floorMod(thisYear, 100);
                for (int year = century + 100 + twoDigits; year >= century - 100; year -= 100) {
                    Optional<Instant> date;
                    try {
                        date = at(null, year, m.group(3), m.group(2), m, 5);
                    } catch (DateTimeException noSuchDay) {
                        continue; // 29 February of a year that has none, a century apart from one that has
                    }
                    if (date.isPresent() && !date.get().isAfter(horizon)) {
                        return at(m.group(1), year, m.group(3), m.group(2), m, 5);
                    }
                }
                return Optional.empty();
            }
            m = ASCTIME.matcher(value);
            if (m.matches()) {
                return at(m.group(1), Integer.parseInt(m.group(7)), m.group(2), m.group(3), m, 4);
            }
        } catch (DateTimeException noSuchDate) {
            return Optional.empty(); // 31 Feb, 25:00, and the like
        }
        return Optional.empty();
    }

    /** GMT, or {@code +HHMM} / {@code -HHMM}, in seconds east of it. */
    private static long offsetSeconds(String zone) {
        if (zone.equals("GMT")) {
            return 0;
        }
        int hhmm = Integer.parseInt(zone.substring(1));
        long seconds = ZoneOffset.ofHoursMinutes(hhmm / 100, hhmm % 100).getTotalSeconds();
        return zone.charAt(0) == '-' ? -seconds : seconds;
    }

    private static Optional<Instant> at(String dayName, int year, String monthName, String day, Matcher m,
                                        int timeGroup) {
        DayOfWeek named = dayName == null ? null : DAYS.get(dayName.toLowerCase(Locale.ROOT));
        Integer month = MONTHS.get(monthName.toLowerCase(Locale.ROOT));
        if ((dayName != null && named == null) || month == null) {
            return Optional.empty();
        }
        LocalDate date = LocalDate.of(year, month, Integer.parseInt(day));
        if (named != null && date.getDayOfWeek() != named) {
            return Optional.empty(); // a date that contradicts itself says nothing for sure
        }
        LocalDateTime time = date.atTime(Integer.parseInt(m.group(timeGroup)), Integer.parseInt(m.group(timeGroup + 1)),
            Integer.parseInt(m.group(timeGroup + 2)));
        return Optional.of(time.toInstant(ZoneOffset.UTC));
    }
}
