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
 * date comes from the warehouse's clock; when the product's second is ahead of this process's
 * clock as it is loaded ({@code aheadOfClock}, an external warehouse with a clock ahead), each
 * answer leaves the header out until this clock reaches it. Otherwise the answer costs one boolean.
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
     * The header's value, or null while its second is ahead of this process's clock: the Date of
     * the answer (this clock's second, read after this) is then never earlier than it.
     */
    public String header() {
        if (aheadOfClock && second(refreshedAt).toEpochMilli() > System.currentTimeMillis()) {
            return null;
        }
        return date;
    }

    /**
     * Whether a client whose If-Modified-Since is {@code since} has this product: its date is not
     * after {@code since}, and names no other product.
     */
    public boolean notModifiedSince(Instant since) {
        return alone && !second(refreshedAt).isAfter(since);
    }

    private static Instant second(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS);
    }
}
