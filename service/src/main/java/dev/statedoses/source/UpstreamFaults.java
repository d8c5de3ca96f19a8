package dev.statedoses.source;

import dev.statedoses.util.HttpDate;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.UnknownHostException;
import java.net.http.HttpHeaders;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/** What an upstream's failure says: how long it asks us to wait, and what went wrong in words. */
final class UpstreamFaults {

    private UpstreamFaults() {
    }

    /**
     * The longest wait we take from an upstream: anything longer means "not in any budget" all the
     * same, and keeping it this short leaves room for arithmetic on it (10,000 years in
     * milliseconds fits a long; a Retry-After of 10^30 seconds would not fit even in seconds).
     */
    static final Duration LONGEST_WAIT = Duration.ofDays(3_652_425);

    private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]+");

    /**
     * Retry-After as delta-seconds or an HTTP date (RFC 9110, 10.2.3), at most {@link #LONGEST_WAIT};
     * empty when absent or unreadable. Given on several lines (an upstream and a proxy before it
     * each adding one), the longest readable wait: each line asks us not to come back sooner, and
     * reading the first alone could send us back while the other still asks us to wait.
     */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        // A date is on the upstream's clock: read against the Date it sent with it, not against
        // ours, which may be a day off (a wait of a day for "20 s", or none at all). Two different
        // Dates tell no one clock (Validators.single), and ours is all that is left.
        Instant now = Optional.ofNullable(Validators.single(headers.allValues("Date")))
            .flatMap(HttpDate::parse).orElseGet(Instant::now);
        return headers.allValues("Retry-After").stream()
            .flatMap(value -> retryAfter(value.strip(), now).stream())
            .max(Duration::compareTo);
    }

    static Optional<Duration> retryAfter(String value) {
        return retryAfter(value, Instant.now());
    }

    /** Retry-After's {@code value}, a date in it read against {@code now}. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        if (DELTA_SECONDS.matcher(value).matches()) {
            // More digits than a long holds is still a number of seconds: a very long one.
            String digits = value.replaceFirst("^0+(?=.)", "");
            long seconds = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
            return Optional.of(atMostLongest(Duration.ofSeconds(seconds)));
        }
        // Unreadable, or a date no calendar holds: as if the upstream had sent none.
        return HttpDate.parse(value).map(at -> {
            Duration wait = Duration.between(now, at);
            return wait.isNegative() ? Duration.ZERO : atMostLongest(wait);
        });
    }

    private static Duration atMostLongest(Duration wait) {
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    static boolean unresolved(Throwable e) {
        return causedBy(e, UnresolvedAddressException.class) != null || causedBy(e, UnknownHostException.class) != null;
    }

    /**
     * Whether the answer broke HTTP's syntax (a status line that is none, an HTTP/0.9 body with
     * no head, a header name with a space): the JDK says so with a ProtocolException, which asking
     * again only repeats. A reset or a close, the faults worth another attempt, are other
     * exceptions.
     */
    static boolean malformed(Throwable e) {
        return causedBy(e, ProtocolException.class) != null;
    }

    /**
     * The JDK client's NumberFormatException for a Content-Length it cannot read ({@code 91137,
     * 91137}, as a proxy that folds a repeated header writes it; {@code 12abc}), or null. It
     * comes out of {@code send} as an IllegalArgumentException, which is otherwise a URL no
     * request can be made of.
     */
    static NumberFormatException unreadableLength(Throwable e) {
        return causedBy(e, NumberFormatException.class);
    }

    private static <T extends Throwable> T causedBy(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String describe(IOException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        // The message in our reader's words ("Connection reset"), not the Java exception's name.
        String message = root.getMessage();
        return message == null || message.isBlank() ? "the connection failed" : message;
    }
}
