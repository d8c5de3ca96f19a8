package dev.statedoses.warehouse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisory lock Flyway's {@code migrate} takes on PostgreSQL, even with nothing to apply, which
 * any login may hold, the read-only one too. The service migrates only when there is something
 * to apply (warehouse/Migrations.java), and then waits here for another session's hold, saying
 * whose, for a bounded time: Flyway itself tries its lock 50 times a second apart, and on a new
 * warehouse up to ten times over (it retries creating its history table, which it does under the
 * lock), nearly nine minutes without a word, then fails without saying who held it.
 */
final class FlywayLock {

    private static final Logger LOG = LoggerFactory.getLogger(FlywayLock.class);

    /**
     * The key: flyway-database-postgresql's PostgreSQLAdvisoryLockTemplate adds the hash of the
     * history table's quoted name to a constant. StartLocksTest holds it and sees Flyway fail.
     */
    static final long KEY = 77431708279161L
        + ("\"" + Migrations.HISTORY_SCHEMA + "\".\"" + Migrations.HISTORY_TABLE + "\"").hashCode();
    /**
     * How long a start with migrations to apply waits for another session to let go of the key.
     * Another instance starting at once migrates a new warehouse in a second or two; a session
     * holding it longer is named, and the start gives up.
     */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final DataSource dataSource;
    private final long began = System.nanoTime();

    FlywayLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Returns once no other session of the warehouse holds the key, at once in the usual case;
     * throws after {@code wait}. Flyway takes it next, and waits itself only for a session that
     * took it in the moment between.
     */
    void awaitFree(Duration wait, StartSteps steps) {
        List<String> holders = holders();
        if (!holders.isEmpty()) {
            LOG.info("the warehouse has migrations to apply, and Flyway's lock (advisory key {}) is held by {}: "
                + "waiting up to {} s for it", KEY, String.join(", ", holders), wait.toSeconds());
        }
        while (!holders.isEmpty()) {
            if (System.nanoTime() - began > wait.toNanos()) {
                throw locked(holders, null);
            }
            try {
                steps.pause(100); // an exit ends the wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw locked(holders, null);
            }
            holders = holders();
        }
    }

    /** What to throw for {@code e} from migrate: for Flyway giving up on its lock, the holder named; else {@code e}. */
    RuntimeException explain(FlywayException e) {
        if (e.getMessage() == null || !e.getMessage().contains("advisory lock")) {
            return e;
        }
        List<String> holders = holders();
        return holders.isEmpty() ? e : locked(holders, e);
    }

    private List<String> holders() {
        return ChangeLock.holders(dataSource, KEY, null);
    }

    private WarehouseLockedException locked(List<String> holders, Exception cause) {
        return new WarehouseLockedException("cannot migrate the warehouse: Flyway's lock (advisory key " + KEY
            + "), which any login may take, the read-only one too, is still held after "
            + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began) + " s by " + String.join(", ", holders)
            + ". End that session or let it finish (a superuser may end it: select pg_terminate_backend(<pid>)), then "
            + "start again", cause);
    }
}
