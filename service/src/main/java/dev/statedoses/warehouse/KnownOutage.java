package dev.statedoses.warehouse;

import com.zaxxer.hikari.HikariDataSource;
import dev.statedoses.util.DaemonThreads;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool, asked through what the service last learned of the warehouse. While it answers, a
 * caller waits for a connection as the pool lets it (up to its 3 s timeout when all are busy).
 * Once a connection could not be made (refused, no answer, login failed), the warehouse is known
 * to be away: each caller is refused at once, with the reason, rather than holding a thread for
 * the pool's 3 s. Once a second a caller starts a look of its own, on a thread of its own (it
 * waits as the pool lets it, then ends), and is refused at once like the others: the first
 * connection a look gets ends the outage for everyone. (The caller itself once asked the pool
 * and waited its 3 s: a dashboard's reads each second, one of them held 3 s.) A pool that is only
 * busy (every connection in use, the warehouse answering) is no outage: its callers wait as they
 * did.
 */
final class KnownOutage implements DataSource {

    /** How often a caller asks the warehouse again while it is known to be away. */
    static final Duration LOOK_EVERY = Duration.ofSeconds(1);
    /** How long a look waits for a connection it got to answer. */
    private static final int LOOK_ANSWER_SECONDS = 2;

    private final DataSource pool;
    private final LongSupplier nanoTime;
    private final AtomicBoolean looking = new AtomicBoolean();
    /** Null while the warehouse answers. */
    private volatile Outage outage;

    /** {@code failure}: how the last look failed, given as the cause of each refusal (the warehouse's reason, 3D000 say, in it). */
    private record Outage(long lastLookNanos, String reason, SQLException failure) {
    }

    KnownOutage(DataSource pool, LongSupplier nanoTime) {
        this.pool = pool;
        this.nanoTime = nanoTime;
    }

    KnownOutage(DataSource pool) {
        this(pool, System::nanoTime);
    }

    /**
     * A statement failed: when its connection broke (the server went away under a connection the
     * pool still held, which it hands out unchecked for half a second after use), the outage is
     * known from now, as if a connection could not be made.
     */
    void statementFailed(SQLException e) {
        if (unreachable(e)) {
            outage = new Outage(nanoTime.getAsLong(), WarehouseUnreachableException.reason(e), e);
            // Looked at once, not a second from now: a session an administrator ended (57P01)
            // breaks a connection of a warehouse that answers, and until a look said so every
            // caller was refused for a second or more, a refresh asked for at once among them.
            // When the server is down, this look fails as the next would have.
            if (looking.compareAndSet(false, true)) {
                lookAside();
            }
        }
    }

    /** Whether a recent look found the warehouse away. */
    boolean known() {
        return outage != null;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Outage known = outage;
        if (known == null) {
            return connect();
        }
        long since = nanoTime.getAsLong() - known.lastLookNanos();
        if (since >= LOOK_EVERY.toNanos() && looking.compareAndSet(false, true)) {
            lookAside();
        }
        // 08001: the SQL state of a connection that could not be made, as the driver says it.
        throw new SQLTransientConnectionException("the warehouse did not answer " + Duration.ofNanos(since).toMillis()
            + " ms ago (" + known.reason() + "); it is asked again once a second", "08001", known.failure());
    }

    /**
     * Asks the pool for a connection on a thread of its own, and gives it back: connect() ends the
     * outage when it gets one, or renews it. The thread lives as long as the pool waits (3 s at
     * most; at once when the pool is closed).
     */
    private void lookAside() {
        DaemonThreads.named("warehouse-look").newThread(() -> {
            try (Connection connection = pool.getConnection()) {
                // Asked, not taken on trust: the pool hands out a connection used in the last
                // half second unchecked, and a look right after a statement broke (see
                // statementFailed) may get one of a server that has gone.
                if (connection.isValid(LOOK_ANSWER_SECONDS)) {
                    outage = null;
                } else {
                    Outage known = outage;
                    if (known != null) {
                        outage = new Outage(nanoTime.getAsLong(), known.reason(), known.failure());
                    }
                    if (pool instanceof HikariDataSource hikari) {
                        hikari.evictConnection(connection);
                    }
                }
            } catch (SQLException e) {
                awayIfUnreachable(e);
            } catch (RuntimeException e) {
                // still away, as far as anyone can tell
            } finally {
                looking.set(false);
            }
        }).start();
    }

    private Connection connect() throws SQLException {
        try {
            Connection connection = pool.getConnection();
            outage = null;
            return connection;
        } catch (SQLException e) {
            awayIfUnreachable(e);
            throw e;
        }
    }

    /** A connection that could not be made, or broke: the outage is known from now, with its reason. */
    private void awayIfUnreachable(SQLException e) {
        if (unreachable(e)) {
            outage = new Outage(nanoTime.getAsLong(), WarehouseUnreachableException.reason(e), e);
        }
    }

    /**
     * Whether the pool failed because no connection could be made, not because all were busy:
     * HikariCP's timeout carries the last failure to connect as its cause (cleared by the next
     * connection made), a driver's own failure has a connection state (08) or a login one (28),
     * or says the server is shutting down or starting (57P).
     */
    static boolean unreachable(SQLException e) {
        if (e instanceof SQLTransientConnectionException && e.getCause() != null) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28")
                    || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the warehouse's pool has one login");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(pool) ? type.cast(pool) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(pool) || pool.isWrapperFor(type);
    }
}
