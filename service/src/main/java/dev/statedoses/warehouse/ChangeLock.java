package dev.statedoses.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The lock a start holds while it makes one of its rare changes to the warehouse (moving the
 * migration history, correcting the reader's grants), so that two instances starting at once do
 * not make it together. Taken only once the change is known to be needed, and the need checked
 * again under it: a start with nothing to change takes no lock at all.
 *
 * <p>It is {@code dwh.refresh_lock} in SHARE UPDATE EXCLUSIVE mode, not an advisory key: any login
 * may take any advisory key, the read-only {@code dwh_reader} too, and one holding the key would
 * hold the start off. {@code LOCK TABLE} in this mode takes UPDATE, DELETE or TRUNCATE on the
 * table, which only its owner has. The modes a login without them can still get on it, by
 * preparing a statement in an open transaction (ROW SHARE for {@code FOR UPDATE}, ROW EXCLUSIVE
 * for a write; PostgreSQL locks when it analyses a statement and checks privileges when it runs
 * it), do not conflict with this one; nor does the ROW SHARE lock a refresh holds with its row
 * lock, so a start never waits for a refresh, nor a refresh for a start. It conflicts with itself.
 *
 * <p>Before V14 the table does not exist, and the advisory key given is taken instead: any login
 * may hold it, so the wait is bounded ({@code lock_timeout} applies to advisory locks too), and a
 * start that gives up names the session holding it.
 */
final class ChangeLock {

    static final String TABLE = "dwh.refresh_lock";
    private static final String HOLDERS = Sql.load("lock_holders.sql");

    private ChangeLock() {
    }

    /**
     * Takes the lock for the rest of {@code c}'s transaction (autocommit off), waiting at most
     * {@code wait}; {@code lock_timeout} is back to its default afterwards. Past the wait, rolls
     * the transaction back and throws, naming the sessions that hold it.
     *
     * @param change what the lock is taken for, to say what could not be done ("move the
     *               migration history into dwh")
     */
    static void take(Connection c, long keyBeforeTheTable, Duration wait, String change) throws SQLException {
        boolean table;
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select to_regclass('" + TABLE + "') is not null")) {
            r.next();
            table = r.getBoolean(1);
        }
        try (Statement s = c.createStatement()) {
            s.execute("set local lock_timeout = '" + wait.toMillis() + "ms'");
            s.execute(table ? "lock table " + TABLE + " in share update exclusive mode"
                : "select pg_advisory_xact_lock(" + keyBeforeTheTable + ")");
            s.execute("set local lock_timeout to default");
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback();
            String what = table
                ? "the lock on " + TABLE + " (SHARE UPDATE EXCLUSIVE, which only the warehouse's owner may take: "
                    + "another instance making the same change, or maintenance of that table)"
                : "advisory key " + keyBeforeTheTable + " (taken for it on a warehouse without " + TABLE + "), which"
                    + " any login may take, the read-only one too,";
            throw new WarehouseLockedException("cannot " + change + ": " + what + " is still held after "
                + wait.toSeconds() + " s by " + describe(holders(c, table ? null : keyBeforeTheTable,
                table ? TABLE : null)) + ". End that session or let it finish (a superuser may end it: select "
                + "pg_terminate_backend(<pid>)), then start again", e);
        }
    }

    /**
     * The sessions of this database but {@code c}'s that hold advisory {@code key}, or a lock on
     * {@code table} that a change waits for (sql/lock_holders.sql).
     */
    static List<String> holders(Connection c, Long key, String table) throws SQLException {
        List<String> holders = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(HOLDERS)) {
            q.setObject(1, key, java.sql.Types.BIGINT);
            q.setObject(2, key, java.sql.Types.BIGINT);
            q.setString(3, table);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    holders.add("pid " + r.getInt("pid") + " (login " + r.getString("login") + ", application '"
                        + r.getString("application") + "')");
                }
            }
        }
        return holders;
    }

    /** {@link #holders} on a connection of its own, for a caller whose own is busy; empty when that fails too. */
    static List<String> holders(DataSource dataSource, Long key, String table) {
        try (Connection c = dataSource.getConnection()) {
            return holders(c, key, table);
        } catch (SQLException e) {
            return List.of();
        }
    }

    static String describe(List<String> holders) {
        return holders.isEmpty() ? "a session that let go of it since" : String.join(", ", holders);
    }
}
