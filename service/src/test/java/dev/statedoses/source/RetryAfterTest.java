package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.util.HttpDate;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An upstream's Retry-After is a number it chose: any number of digits, any date up to 9999. Each
 * must end as a wait we can compare with the budget (and, past it, a fault not waited for), never
 * as an arithmetic overflow (the service once answered 500 "long overflow" to a Retry-After of
 * 10000000000, its pause converted to nanoseconds).
 */
class RetryAfterTest {

    private static final URI URL = URI.create("http://upstream.test/moderna.csv");

    @Test
    void theReportedValuesAreWaitsOfTheirLength() {
        assertEquals(Optional.of(Duration.ofSeconds(3600)), UpstreamFaults.retryAfter("3600"));
        assertEquals(Optional.of(Duration.ofSeconds(10_000_000_000L)), UpstreamFaults.retryAfter("10000000000"));
        // Past a long of seconds: still a number of seconds, as long as we take one to be.
        assertEquals(Optional.of(UpstreamFaults.LONGEST_WAIT),
            UpstreamFaults.retryAfter("99999999999999999999999999999999"));
        assertEquals(Optional.of(Duration.ofSeconds(7)), UpstreamFaults.retryAfter("0000000000000000000000007"));
        Duration toYear9999 = UpstreamFaults.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT").orElseThrow();
        // From now (2020s at the earliest) to the end of 9999: between 7,900 and 8,000 years.
        assertTrue(toYear9999.toDays() > 7_900 * 365L && toYear9999.toDays() < 8_000 * 366L, toYear9999.toString());
        assertEquals(Optional.of(Duration.ZERO), UpstreamFaults.retryAfter("Thu, 01 Jan 1970 00:00:00 GMT"));
        assertEquals(Optional.empty(), UpstreamFaults.retryAfter("-5"));
        assertEquals(Optional.empty(), UpstreamFaults.retryAfter("soon"));
    }

    /**
     * A date in Retry-After is on the upstream's clock, so it is read against the Date the upstream
     * sent with it: whether our clock is a day behind or a day ahead of the upstream's, or right,
     * "twenty seconds after my Date" is a wait of 20 s (ours once waited a day, or not at all).
     */
    @Test
    void aDateIsReadAgainstTheUpstreamsOwnDate() {
        for (long skewSeconds : new long[] {-86_400, -3_600, 0, 3_600, 86_400}) {
            Instant upstreamNow = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(skewSeconds);
            HttpHeaders headers = HttpHeaders.of(Map.of("Date", List.of(HttpDate.format(upstreamNow)),
                "Retry-After", List.of(HttpDate.format(upstreamNow.plusSeconds(20)))), (name, value) -> true);
            assertEquals(Optional.of(Duration.ofSeconds(20)), UpstreamFaults.retryAfter(headers), "skew " + skewSeconds);
        }
        // Without a Date (or with one that is no date), our clock is all there is.
        Instant inAMinute = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(60);
        for (Map<String, List<String>> fields : List.of(Map.of("Retry-After", List.of(HttpDate.format(inAMinute))),
                Map.of("Date", List.of("yesterday"), "Retry-After", List.of(HttpDate.format(inAMinute))))) {
            long wait = UpstreamFaults.retryAfter(HttpHeaders.of(fields, (name, value) -> true)).orElseThrow()
                .toSeconds();
            assertTrue(wait > 50 && wait <= 60, fields + ": " + wait);
        }
    }

    /**
     * Retry-After on several lines (an upstream's and a proxy's): the longest readable wait,
     * whatever the order of the lines, unreadable lines passed over; and two different Dates tell no
     * clock, so a date in Retry-After is read against ours. Generated: 300 sets of 2 to 5 lines
     * of seconds, dates and junk, each in three orders. The first line alone, as read before,
     * gives a shorter wait than asked for in most of them.
     */
    @Test
    void severalLinesAreTheLongestWaitInAnyOrder() {
        Random random = new Random(9110);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < 300; i++) {
            List<String> lines = new ArrayList<>();
            long longest = -1;
            for (int n = 2 + random.nextInt(4); lines.size() < n; ) {
                int seconds = random.nextInt(600);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        lines.add(Integer.toString(seconds));
                        longest = Math.max(longest, seconds);
                    }
                    case 1 -> {
                        lines.add(HttpDate.format(now.plusSeconds(seconds)));
                        longest = Math.max(longest, seconds);
                    }
                    default -> lines.add(random.nextBoolean() ? "soon" : "-" + seconds);
                }
            }
            for (int turn = 0; turn < 3; turn++) {
                Collections.shuffle(lines, random);
                HttpHeaders headers = HttpHeaders.of(Map.of("Date", List.of(HttpDate.format(now)),
                    "Retry-After", List.copyOf(lines)), (name, value) -> true);
                Optional<Duration> wait = UpstreamFaults.retryAfter(headers);
                if (longest < 0) {
                    assertEquals(Optional.empty(), wait, lines.toString());
                } else {
                    assertEquals(Optional.of(Duration.ofSeconds(longest)), wait, lines.toString());
                }
            }
        }
        // Two different Dates: a date in Retry-After is read against our clock, not either of them.
        Instant ours = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        HttpHeaders twoDates = HttpHeaders.of(Map.of(
            "Date", List.of(HttpDate.format(ours.minusSeconds(86_400)), HttpDate.format(ours.plusSeconds(86_400))),
            "Retry-After", List.of(HttpDate.format(ours.plusSeconds(60)))), (name, value) -> true);
        long wait = UpstreamFaults.retryAfter(twoDates).orElseThrow().toSeconds();
        assertTrue(wait > 50 && wait <= 60, "a wait of " + wait + " s");
        // The same Date twice is still the upstream's clock.
        Instant theirs = ours.plusSeconds(3_600);
        HttpHeaders sameDate = HttpHeaders.of(Map.of("Date", List.of(HttpDate.format(theirs), HttpDate.format(theirs)),
            "Retry-After", List.of(HttpDate.format(theirs.plusSeconds(20)))), (name, value) -> true);
        assertEquals(Optional.of(Duration.ofSeconds(20)), UpstreamFaults.retryAfter(sameDate));
    }

    /**
     * Generated: 500 instants from an hour ago to 40 years ahead, each written in the three forms of
     * an HTTP date (RFC 9110, 5.6.7: IMF-fixdate, RFC 850, asctime): each is the same wait, to the
     * second, as the time until that instant (none for a past one).
     */
    @Test
    void everyFormOfAnHttpDateIsTheSameWait() {
        Random random = new Random(5_6_7);
        DateTimeFormatter imf = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
        DateTimeFormatter rfc850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US);
        DateTimeFormatter asctime = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);
        for (int i = 0; i < 500; i++) {
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(-3_600 + (long) (random.nextDouble() * 40 * 365 * 86_400L));
            ZonedDateTime utc = at.atZone(ZoneOffset.UTC);
            for (String written : List.of(imf.format(utc), rfc850.format(utc), asctime.format(utc))) {
                long expected = Math.max(0, Duration.between(Instant.now(), at).toSeconds());
                Duration wait = UpstreamFaults.retryAfter(written).orElseThrow(() -> new AssertionError(written));
                assertTrue(Math.abs(wait.toSeconds() - expected) <= 1, written + ": " + wait + ", not " + expected + " s");
            }
        }
        assertEquals(Optional.of(Duration.ZERO), UpstreamFaults.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(Optional.of(Duration.ZERO), UpstreamFaults.retryAfter("Sun Nov  6 08:49:37 1994"));
    }

    /**
     * Generated: numbers of 2 to 60 digits and dates of any year from 2100 to 9999, asked of a
     * fetch with a minute of budget: each is read without an exception, and the fault is not
     * tried again (nor waited for): the refresh fails at once as the upstream's fault.
     */
    @Test
    void anyRetryAfterBeyondTheBudgetIsAFaultNotWaitedFor() {
        Random random = new Random(20261130);
        for (int i = 0; i < 2_000; i++) {
            String value = random.nextBoolean() ? digits(random, 2 + random.nextInt(59)) : date(random);
            Optional<Duration> wait = UpstreamFaults.retryAfter(value);
            assertTrue(wait.isPresent(), value);
            if (wait.get().compareTo(Duration.ofSeconds(61)) < 0) {
                continue; // a short number, a wait a fetch may take: not this property's case
            }
            Attempts attempts = new Attempts(SourceName.MODERNA, System.nanoTime() + Duration.ofSeconds(60).toNanos());
            attempts.start();
            SourceException fault = SourceException.transientFault(SourceName.MODERNA, URL,
                "upstream answered HTTP 503", null, wait.get());
            long start = System.nanoTime();
            assertFalse(attempts.mayRetry(fault), value);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "it waited for " + value);
        }
    }

    private static String digits(Random random, int count) {
        StringBuilder digits = new StringBuilder().append((char) ('1' + random.nextInt(9)));
        while (digits.length() < count) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    private static String date(Random random) {
        ZonedDateTime at = ZonedDateTime.of(2100 + random.nextInt(7900), 1 + random.nextInt(12), 1 + random.nextInt(28),
            random.nextInt(24), random.nextInt(60), random.nextInt(60), 0, ZoneOffset.UTC);
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(at);
    }
}
