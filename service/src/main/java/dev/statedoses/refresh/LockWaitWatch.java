package dev.statedoses.refresh;

import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log which sessions a refresh waits for, when it waits for a lock. A refresh waits
 * for another session's lock as long as it is held (an analyst's transaction left open after a
 * read of a raw table holds the refresh at its truncate): documented, and right, but the run was
 * only "running", for minutes, with not a line in the log to say why. Every {@link #EVERY} while
 * a refresh runs, its session is looked at from another connection; a wait for a lock seen on two
 * looks in a row is logged once per set of sessions it waits for, naming each (pid, login, application, state, and how
 * long its transaction has been open), with the statement that would end it.
 */
final class LockWaitWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LockWaitWatch.class);
    private static final String WAITED_FOR = Sql.load("lock_waited_for.sql");
    /** A refresh's own steps take well under a second each; a wait as long as this is a lock's. */
    static final Duration EVERY = Duration.ofSeconds(5);

    private final ScheduledFuture<?> task;
    /** The pids the last look found, and those last said. */
    private String previous = "";
    private String said = "";

    private LockWaitWatch(ScheduledExecutorService watcher, Jdbi jdbi, int pid, Duration every) {
        this.task = watcher.scheduleWithFixedDelay(() -> look(jdbi, pid), every.toMillis(), every.toMillis(),
            TimeUnit.MILLISECONDS);
    }

    /** The thread the looks run on: one for a service, ended with it. */
    static ScheduledExecutorService watcher() {
        return Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("refresh-lock-watch"));
    }

    /**
     * Watches the session of {@code connection}, a refresh's, on {@code watcher} until closed; null
     * for a connection that is no PostgreSQL one, or once the watcher has ended (the service stopping).
     */
    static LockWaitWatch start(ScheduledExecutorService watcher, Jdbi jdbi, Connection connection, Duration every) {
        int pid;
        try {
            pid = connection.unwrap(PGConnection.class).getBackendPID();
        } catch (SQLException e) {
            return null;
        }
        try {
            return new LockWaitWatch(watcher, jdbi, pid, every);
        } catch (RejectedExecutionException stopping) {
            return null;
        }
    }

    private record Holder(int pid, String described) {
    }

    private void look(Jdbi jdbi, int pid) {
        try {
            List<Holder> holders = jdbi.withHandle(h -> h.createQuery(WAITED_FOR).bind(0, pid)
                .map((rs, ctx) -> new Holder(rs.getInt("pid"), "pid " + rs.getInt("pid") + " (login "
                    + rs.getString("login") + ", application '" + rs.getString("application") + "', "
                    + rs.getString("state") + ", in a transaction for " + rs.getString("in_transaction_for") + ")"))
                .list());
            String now = holders.stream().map(holder -> Integer.toString(holder.pid())).collect(Collectors.joining(","));
            // Seen on two looks in a row, a wait of at least one interval: a moment's wait (behind
            // the service's own vacuum, say) that a look happens to meet is not worth a WARN.
            if (!now.isEmpty() && now.equals(previous) && !now.equals(said)) {
                LOG.warn("the refresh waits for a lock held by {}: it goes on when that session ends its transaction "
                    + "(a superuser may end it: select pg_terminate_backend(<pid>))",
                    holders.stream().map(Holder::described).collect(Collectors.joining(", ")));
                said = now;
            }
            previous = now;
        } catch (RuntimeException e) {
            // A look that fails (the warehouse away) says nothing: the refresh itself will.
            LOG.debug("looking at what the refresh waits for failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
