package dev.statedoses.warehouse;

import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Reads of the warehouse that answer a request, each in a transaction whose lock waits are
 * bounded: a lock another session holds on what it reads (an analyst's {@code LOCK TABLE}, a
 * {@code VACUUM FULL}, an {@code ALTER} left in an open transaction) stops it after
 * {@link #LOCK_WAIT}, SQLSTATE 55P03, which the routes answer 503 with Retry-After, and its
 * connection goes back to the pool. Unbounded, eight {@code as_of} reads (the pool's size) held
 * every connection for as long as the lock was held, and a pool that was only busy then looked
 * like an outage: {@code /health} said the warehouse was down and refreshes were refused.
 */
public final class BoundedReads {

    /** As long as a read waits for the snapshot's reload behind such a lock (ProductCache). */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(2);
    private static final String BOUND = "set local lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'";

    private BoundedReads() {
    }

    /** {@code read} in a read-committed transaction whose lock waits are bounded. */
    public static <T> T read(Jdbi jdbi, HandleCallback<T, RuntimeException> read) {
        return read(jdbi, TransactionIsolationLevel.READ_COMMITTED, read);
    }

    /** {@code read} in a transaction of {@code level} whose lock waits are bounded. */
    public static <T> T read(Jdbi jdbi, TransactionIsolationLevel level, HandleCallback<T, RuntimeException> read) {
        return read(jdbi, level, LOCK_WAIT, read);
    }

    /** {@code read} in a transaction of {@code level} whose lock waits end after {@code lockWait}. */
    public static <T> T read(Jdbi jdbi, TransactionIsolationLevel level, Duration lockWait,
                             HandleCallback<T, RuntimeException> read) {
        String bound = lockWait.equals(LOCK_WAIT) ? BOUND : "set local lock_timeout = '" + lockWait.toMillis() + "ms'";
        return jdbi.inTransaction(level, h -> {
            h.execute(bound);
            return read.withHandle(h);
        });
    }

    /** Whether {@code failure} is such a read stopped by another session's lock: the warehouse answered. */
    public static boolean lockedOut(Throwable failure) {
        return Warehouse.failures(failure).anyMatch(t -> t instanceof SQLException sql && "55P03".equals(sql.getSQLState()));
    }
}
