package dev.statedoses.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP dates in the three forms RFC 9110 (5.6.7) says a recipient MUST accept, each of them
 * written here by a formatter of its own, not by the code under test.
 */
class HttpDateTest {

    static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    static final DateTimeFormatter RFC_850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US);
    /** asctime: the day padded with a space, not a zero ({@code Nov  6}). */
    static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    /** The three ways of writing {@code at} (to the second, UTC). */
    public static List<String> threeForms(Instant at) {
        ZonedDateTime utc = at.atZone(ZoneOffset.UTC);
        return List.of(IMF.format(utc), RFC_850.format(utc), ASCTIME.format(utc));
    }

    @Test
    void theRfcsOwnExampleInEachForm() {
        Instant expected = Instant.parse("1994-11-06T08:49:37Z");
        Instant in1994 = Instant.parse("2000-01-01T00:00:00Z");
        assertEquals(Optional.of(expected), HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", in1994));
        assertEquals(Optional.of(expected), HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", in1994));
        assertEquals(Optional.of(expected), HttpDate.parse("Sun Nov  6 08:49:37 1994", in1994));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(expected.plusMillis(999)));
    }

    /**
     * Generated: 5,000 instants from 1970 to 2069, each written in the three forms, read back as the
     * same instant (an RFC 850 year read relative to a "now" within 50 years of it), and the
     * IMF-fixdate we write is the one a formatter of our own writes.
     */
    @Test
    void everyFormOfAnInstantReadsAsThatInstant() {
        Random random = new Random(20261130);
        long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2069-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 5_000; i++) {
            Instant at = Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from)));
            Instant now = at.plusSeconds((long) ((random.nextDouble() - 0.5) * 90 * 365 * 86_400L));
            for (String written : threeForms(at)) {
                assertEquals(Optional.of(at), HttpDate.parse(written, now), written + " read in " + now);
            }
            assertEquals(IMF.format(at.atZone(ZoneOffset.UTC)), HttpDate.format(at));
        }
    }

    /** RFC 9110: a two-digit year more than 50 years ahead is the last such year in the past. */
    @Test
    void aTwoDigitYearIsNeverMoreThanFiftyYearsAhead() {
        Instant now = Instant.parse("2026-11-30T00:00:00Z");
        assertEquals(Optional.of(Instant.parse("2076-01-01T00:00:00Z")),
            HttpDate.parse("Wednesday, 01-Jan-76 00:00:00 GMT", now));
        assertEquals(Optional.of(Instant.parse("1977-01-01T00:00:00Z")),
            HttpDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", now));
        assertEquals(Optional.of(Instant.parse("2026-11-30T23:59:59Z")),
            HttpDate.parse("Monday, 30-Nov-26 23:59:59 GMT", now));
        assertEquals(Optional.of(Instant.parse("2004-02-24T00:00:00Z")),
            HttpDate.parse("Tuesday, 24-Feb-04 00:00:00 GMT", Instant.parse("1981-08-06T00:00:00Z")));
        // Judged by the date, not the year: in the last days of the window, 2076's dates past 50
        // years from now are 1976's. 5 December 2076 is a Saturday, and 1976's a Sunday.
        Instant december3 = Instant.parse("2026-12-03T00:00:00Z");
        assertEquals(Optional.of(Instant.parse("2076-12-03T00:00:00Z")),
            HttpDate.parse("Thursday, 03-Dec-76 00:00:00 GMT", december3));
        assertEquals(Optional.of(Instant.parse("1976-12-04T00:00:00Z")),
            HttpDate.parse("Saturday, 04-Dec-76 00:00:00 GMT", december3));
        assertEquals(Optional.of(Instant.parse("1976-12-05T23:59:59Z")),
            HttpDate.parse("Sunday, 05-Dec-76 23:59:59 GMT", december3));
        assertEquals(Optional.empty(), HttpDate.parse("Saturday, 05-Dec-76 23:59:59 GMT", december3),
            "2076's weekday for a date of 1976");
        // 29 February 2100 is no day (2100 is no leap year): read in 2080, 00 is 2000's.
        assertEquals(Optional.of(Instant.parse("2000-02-29T00:00:00Z")),
            HttpDate.parse("Tuesday, 29-Feb-00 00:00:00 GMT", Instant.parse("2080-01-01T00:00:00Z")));
    }

    /** What Java's RFC 1123 formatter read before, and upstreams may send, still reads. */
    @Test
    void theLenientFormsReadBeforeStillRead() {
        Instant march1 = Instant.parse("2021-03-01T00:00:00Z");
        assertEquals(Optional.of(march1), HttpDate.parse("Mon, 1 Mar 2021 00:00:00 GMT"));
        assertEquals(Optional.of(march1), HttpDate.parse("Mon, 1 Mar 2021 00:00:00 +0000"));
        assertEquals(Optional.of(march1), HttpDate.parse("Mon, 1 Mar 2021 01:00:00 +0100"));
        assertEquals(Optional.of(march1), HttpDate.parse("1 Mar 2021 00:00:00 GMT"));
        assertEquals(Optional.of(march1), HttpDate.parse("  mon, 01 MAR 2021 00:00:00 GMT "));
        assertEquals(Optional.of(march1), HttpDate.parse("Mon Mar 1 00:00:00 2021"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "", "yesterday", "0", "Tue, 01 Mar 2021 00:00:00 GMT", // the weekday is not the date's
        "Mon, 30 Feb 2021 00:00:00 GMT", "Mon, 01 Mar 2021 24:00:00 GMT", "Mon, 01 Mar 2021 00:60:00 GMT",
        "Mon, 01 Foo 2021 00:00:00 GMT", "Mon, 01 Mar 2021 00:00:00 CET", "Mon, 01 Mar 2021 00:00:00",
        "Monday, 01-Mar-2021 00:00:00 GMT", "Tuesday, 01-Mar-21 00:00:00 GMT", "Mon Mar 01 00:00:00 2021 GMT",
        "Mon, 01 Mar 2021 00:00:00 GMT, Mon, 01 Mar 2021 00:00:00 GMT", // two lines of a one-date field
        "Mon, 01 Mar 2021 00:00:00 +9900"})
    void anythingElseIsNoDate(String text) {
        assertEquals(Optional.empty(), HttpDate.parse(text), text);
    }
}
