package dev.statedoses.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dwh_reader}: the login analysts and BI tools use to read the warehouse, which may read the
 * product, its weeks and the log of refreshes, and nothing else (sql/reader_grants.sql).
 *
 * <p>Done at every start, after the migrations, rather than in a versioned migration: the password
 * comes from the environment (DWH_READER_PASSWORD) and may change, it must never be written into a
 * file the migration history checksums; a role belongs to the whole server, not to the database a
 * migration runs in; and a role an administrator creates later gets its grants at the next start,
 * which a migration that already ran could not give. Every step is idempotent, so several
 * databases of one server (the tests', or a refresh and a service) may run it at once, and the
 * grants are only run when the role's privileges differ from them: a usual start writes nothing
 * to the catalog and takes no lock, and never waits for a refresh, whose truncated raw tables a
 * revoke would.
 *
 * <p>The role is created where the service's role may create roles (the embedded warehouse's
 * {@code postgres}, compose's {@code etl}); elsewhere the service says, in one log line, what to
 * run. The password is set from the environment at every start, hashed (SCRAM) by the driver before
 * it is sent, and never logged. A reader problem never stops the service: the product does not
 * depend on it.
 */
public final class ReaderRole {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderRole.class);

    public static final String NAME = "dwh_reader";
    private static final String GRANTS = Sql.load("reader_grants.sql");
    private static final String WRONG = Sql.load("reader_grants_wrong.sql");
    /**
     * How many times a step is tried when another database of the server altered the role at the
     * same moment ("tuple concurrently updated"): each try waits a random while longer.
     */
    private static final int ATTEMPTS = 10;
    /** The SQL states of a catalog race with another database of the server (see retrying). */
    private static final Set<String> CATALOG_RACES = Set.of("XX000", "23505");
    /**
     * Taken while granting on a warehouse without {@code dwh.refresh_lock} ({@link ChangeLock}),
     * which the migrations that run first always create: "StateRdr", as earlier releases took it.
     */
    private static final long GRANT_LOCK = 0x5374_6174_6552_6472L;
    /** How long granting waits for its lock, and then for the tables a refresh holds. */
    private static final Duration WAIT = Duration.ofSeconds(3);

    private ReaderRole() {
    }

    /**
     * Makes {@code dwh_reader} exist (if this role may create it), sets its password when
     * {@code password} is not null, and grants it what it may read in this database.
     */
    public static void ensure(DataSource dataSource, String password) {
        try (Connection c = dataSource.getConnection()) {
            String me = scalar(c, "select current_user");
            if (!exists(c) && !create(c, me, password)) {
                return;
            }
            if (password != null) {
                setPassword(c, me, password);
            }
            grant(c);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("the read-only role {} could not be made ready ({}); the service runs without it",
                NAME, e.getMessage());
        }
    }

    /** Creates the role; false (and a log line saying what to run) when this role may not. */
    private static boolean create(Connection c, String me, String password) throws SQLException {
        if (!"true".equals(scalar(c, "select (rolsuper or rolcreaterole)::text from pg_roles where rolname = current_user"))) {
            String how = "to give analysts a read-only login, run as a superuser: create role " + NAME
                + " login password '<DWH_READER_PASSWORD>'; alter role " + NAME
                + " set default_transaction_read_only = on; then restart the service, which grants it SELECT on"
                + " the product, its weeks and the refresh log";
            if (password != null) {
                LOG.warn("DWH_READER_PASSWORD is set, but there is no role {} and role {} may not create roles: {}",
                    NAME, me, how);
            } else {
                LOG.info("no role {}, and role {} may not create roles: {}", NAME, me, how);
            }
            return false;
        }
        retrying(c, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("create role " + NAME + " login nosuperuser nocreatedb nocreaterole noreplication");
            } catch (SQLException e) {
                if (!exists(c)) {
                    throw e; // not another database's start creating it at the same moment
                }
            }
        });
        retrying(c, () -> {
            try (Statement s = c.createStatement()) {
                // Belt and braces: its sessions cannot write even where a grant would let them.
                s.execute("alter role " + NAME + " set default_transaction_read_only = on");
            }
        });
        LOG.info("created the read-only role {}{}", NAME, password == null
            ? " without a password (set DWH_READER_PASSWORD for connections that need one)" : "");
        return true;
    }

    private static void setPassword(Connection c, String me, String password) {
        try {
            // Hashed here (SCRAM-SHA-256, or what the server's password_encryption says), so the
            // password itself never reaches the server, nor its statement log.
            retrying(c, () -> c.unwrap(PGConnection.class).alterUserPassword(NAME, password.toCharArray(), null));
        } catch (SQLException e) {
            LOG.warn("could not set the password of {} as role {} ({}): run as a superuser: alter role {} password "
                + "'<DWH_READER_PASSWORD>'", NAME, me, e.getMessage(), NAME);
        }
    }

    /**
     * Grants what the role may read, unless it has exactly that already (the usual start, which
     * takes no lock). Otherwise under {@link ChangeLock}, and only if the privileges still differ
     * under it: two instances starting at once grant once.
     */
    private static void grant(Connection c) throws SQLException {
        List<String> wrong = wrong(c);
        if (wrong.isEmpty()) {
            return;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            ChangeLock.take(c, GRANT_LOCK, WAIT, "grant " + NAME + " what it may read");
            wrong = wrong(c);
            if (wrong.isEmpty()) {
                c.commit(); // another instance granted it meanwhile
                return;
            }
            // A refresh in progress holds the raw tables (truncated) until it commits: rather
            // than wait for it, grant at the next start.
            s.execute("set local lock_timeout = '" + WAIT.toMillis() + "ms'");
            s.execute(GRANTS);
            c.commit();
            LOG.info("granted {} what it may read in this database (it had: {})", NAME, String.join(", ", wrong));
        } catch (SQLException e) {
            c.rollback();
            if (!"55P03".equals(e.getSQLState())) {
                throw e;
            }
            LOG.info("{} not granted now: a refresh holds the tables; the next start grants it ({})", NAME,
                String.join(", ", wrong));
        } catch (WarehouseLockedException e) {
            LOG.info("{} not granted now, the next start grants it ({}): {}", NAME, String.join(", ", wrong),
                e.getMessage());
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** How the role's privileges here differ from the grants' (sql/reader_grants_wrong.sql); empty: not at all. */
    static List<String> wrong(Connection c) throws SQLException {
        List<String> wrong = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(WRONG)) {
            while (r.next()) {
                wrong.add(r.getString(1));
            }
        }
        return wrong;
    }

    private static boolean exists(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            q.setString(1, NAME);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws SQLException;
    }

    /**
     * Runs {@code step}, again after a catalog race with another database of the server altering
     * the same role, up to {@link #ATTEMPTS} times. PostgreSQL reports such a race as "tuple
     * concurrently updated" (XX000) when both change an existing catalog row, and as a unique
     * violation (23505) when both insert the first one: two first "alter role ... set" race to
     * insert the role's row of pg_db_role_setting. Tried again, the step finds the row and updates
     * it.
     */
    private static void retrying(Connection c, Step step) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (SQLException e) {
                if (attempt == ATTEMPTS || !CATALOG_RACES.contains(e.getSQLState())) {
                    throw e;
                }
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(10, 50L * attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
