package dev.statedoses.product;

import dev.statedoses.util.HttpDate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A product's Last-Modified: its refreshed_at as HTTP writes dates, to the second, and whether that
 * date names this product alone. Two products built within one second (two forced refreshes back
 * to back) get one date, so a client holding the first and asking If-Modified-Since with it would
 * be told it has the second. {@code alone} says that no other product has a refreshed_at at or
 * after the start of this one's second (the warehouse's run log says so when the snapshot is
 * loaded: {@code sql/product_date_alone.sql}): then a date at or after it can only be this
 * product's, and 304 is the truth. Otherwise If-Modified-Since alone never earns a 304; the ETag,
 * a hash of the body, still does.
 *
 * <p>An origin server must not send a Last-Modified later than its Date (RFC 9110, 8.8.2.1). The
 * date comes from the warehouse's clock, and an answer is decided a moment after Jetty wrote its
 * Date: each answer reads this process's clock once, leaves the header out while the product's
 * second is still ahead of it ({@code aheadOfClock} when loaded: an external warehouse with a
 * clock ahead), and otherwise sends it with a Date of that same reading ({@link AnswerDate}).
 *
 * @param refreshedAt  when the product was built, exactly (the rows' refreshed_at)
 * @param date         the header: {@code refreshedAt} as an IMF-fixdate, to the second
 * @param alone        whether no other product was built at or after the start of that second
 * @param aheadOfClock whether that second was ahead of this process's clock when this was made
 */
public record LastModified(Instant refreshedAt, String date, boolean alone, boolean aheadOfClock) {

    /** The Last-Modified of a product built at {@code refreshedAt}; {@code alone} as the warehouse says. */
    public static LastModified of(Instant refreshedAt, boolean alone) {
        return new LastModified(refreshedAt, HttpDate.format(refreshedAt), alone,
            second(refreshedAt).toEpochMilli() > System.currentTimeMillis());
    }

    /**
     * The header's value for an answer made at {@code nowMillis} (this process's clock), or null
     * while its second is ahead of that: the answer's Date, written from the same reading, is then
     * never earlier than it.
     */
    public String header(long nowMillis) {
        return second(refreshedAt).toEpochMilli() > nowMillis ? null : date;
    }

    /**
     * Whether a client whose If-Modified-Since is {@code since} has this product: its date is not
     * after {@code since}, and names no other product.
     */
    public boolean notModifiedSince(Instant since) {
        return alone && !second(refreshedAt).isAfter(since);
    }

    /**
     * Whether a client whose If-Unmodified-Since is {@code since} still names this product: its
     * date is before {@code since}, or is {@code since} and names no other product. The same
     * second shared by two products cannot tell the client's from this one, so it does not hold.
     */
    public boolean unmodifiedSince(Instant since) {
        Instant date = second(refreshedAt);
        return date.isBefore(since) || date.equals(since) && alone;
    }

    private static Instant second(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS);
    }
}
