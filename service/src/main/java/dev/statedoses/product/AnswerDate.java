package dev.statedoses.product;

import dev.statedoses.util.HttpDate;
import java.time.Instant;

/**
 * The Date of an answer that carries a Last-Modified, written from the same reading of this
 * process's clock that let the Last-Modified through. Jetty writes its own Date as a request
 * begins; an answer decided a moment later, in the next second, could otherwise carry a
 * Last-Modified of that next second under the Date of the one before, which RFC 9110 (8.8.2.1)
 * forbids and which a cache reads as a date from the future. Formatted once a second, as Jetty
 * formats its own.
 */
final class AnswerDate {

    private record Second(long epochSecond, String text) {
    }

    private volatile Second last = new Second(Long.MIN_VALUE, null);

    /** The Date header of an answer made at {@code epochMillis}: its second, as an IMF-fixdate. */
    String at(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1_000L);
        Second cached = last;
        if (cached.epochSecond() != second) {
            cached = new Second(second, HttpDate.format(Instant.ofEpochSecond(second)));
            last = cached;
        }
        return cached.text();
    }
}
