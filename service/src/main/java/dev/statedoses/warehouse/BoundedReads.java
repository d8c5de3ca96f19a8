package dev.statedoses.warehouse;

import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads of the warehouse that answer a request, each in a transaction whose lock waits are
 * bounded: a lock another session holds on what it reads (an analyst's {@code LOCK TABLE}, a
 * {@code VACUUM FULL}, an {@code ALTER} left in an open transaction) stops it after
 * {@link #LOCK_WAIT}, SQLSTATE 55P03, which the routes answer 503 with Retry-After, and its
 * connection goes back to the pool. Unbounded, eight {@code as_of} reads (the pool's size) held
 * every connection for as long as the lock was held, and a pool that was only busy then looked
 * like an outage: {@code /health} said the warehouse was down and refreshes were refused.
 *
 * <p>The transaction's settings are statements of its own, not the driver's calls: a setting the
 * driver sends (its isolation level) fails outside any statement when the warehouse has gone, and
 * the service then did not learn of the outage from that read (KnownOutage hears statements).
 */
public final class BoundedReads {

    /** As long as a read waits for the snapshot's reload behind such a lock (ProductCache). */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(2);

    private BoundedReads() {
    }

    /** {@code read} in a read-committed transaction whose lock waits are bounded by {@link #LOCK_WAIT}. */
    public static <T> T read(Jdbi jdbi, HandleCallback<T, RuntimeException> read) {
        return read(jdbi, LOCK_WAIT, read);
    }

    /** {@code read} in a read-committed transaction whose lock waits end after {@code lockWait}. */
    public static <T> T read(Jdbi jdbi, Duration lockWait, HandleCallback<T, RuntimeException> read) {
        return inTransaction(jdbi, lockTimeout(lockWait), read);
    }

    /** {@code read} in one snapshot (repeatable read), whose lock waits are bounded by {@link #LOCK_WAIT}. */
    public static <T> T readOneSnapshot(Jdbi jdbi, HandleCallback<T, RuntimeException> read) {
        return inTransaction(jdbi, "set transaction isolation level repeatable read; " + lockTimeout(LOCK_WAIT), read);
    }

    /** Whether {@code failure} is such a read stopped by another session's lock: the warehouse answered. */
    public static boolean lockedOut(Throwable failure) {
        return Warehouse.failures(failure).anyMatch(t -> t instanceof SQLException sql && "55P03".equals(sql.getSQLState()));
    }

    private static String lockTimeout(Duration wait) {
        return "set local lock_timeout = '" + wait.toMillis() + "ms'";
    }

    private static <T> T inTransaction(Jdbi jdbi, String settings, HandleCallback<T, RuntimeException> read) {
        return jdbi.inTransaction(h -> {
            h.execute(settings);
            return read.withHandle(h);
        });
    }
}
