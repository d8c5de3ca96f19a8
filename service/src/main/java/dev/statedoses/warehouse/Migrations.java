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
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the warehouse schema up to date with the versioned migrations in {@code db/migration}.
 *
 * <p>Flyway's history table lives in schema {@code dwh}, always. Left to itself, Flyway puts it in
 * the connection's current schema, which depends on the login role: with PostgreSQL's default
 * {@code search_path} ({@code "$user", public}) a role named {@code dwh} or {@code raw} gets
 * {@code public} on the first start (the schema of its name does not exist yet) and its own schema
 * on every later start, where Flyway then finds our tables but no history and refuses to start.
 * Installations migrated before the history was pinned have it elsewhere (in {@code public}, as a
 * rule); it is moved into {@code dwh} before Flyway looks for it.
 *
 * <p>A start whose warehouse needs no change takes no lock: any login may take an advisory key,
 * the read-only one too, and a start that waited for one (ours, or Flyway's, which {@code migrate}
 * takes even with nothing to apply) could be held off for as long as that session liked. So the
 * history is moved only under {@link ChangeLock}, once a look without it has found it elsewhere,
 * and Flyway migrates only when its validation, which takes no lock, finds something to do.
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    static final String HISTORY_SCHEMA = "dwh";
    static final String HISTORY_TABLE = "flyway_schema_history";

    /**
     * Taken while the history is moved, on a warehouse without {@code dwh.refresh_lock} (before
     * V14): so two instances starting at once do not both move it. "StateFly", as earlier
     * releases took it at every start.
     */
    private static final long MOVE_LOCK = 0x5374_6174_6546_6c79L;
    /** How long a move waits for {@link #MOVE_LOCK}: the move itself takes milliseconds. */
    private static final Duration MOVE_WAIT = Duration.ofSeconds(10);

    private Migrations() {
    }

    static void apply(DataSource dataSource, StartSteps steps) {
        apply(dataSource, FlywayLock.WAIT, steps);
    }

    /** Waiting at most {@code flywayWait} for another session's hold on Flyway's lock: less in a test of giving up. */
    static void apply(DataSource dataSource, Duration flywayWait) {
        apply(dataSource, flywayWait, StartSteps.unwatched());
    }

    private static void apply(DataSource dataSource, Duration flywayWait, StartSteps steps) {
        moveHistoryIntoPlace(dataSource);
        Flyway flyway = Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            // The history's schema, and the current schema while migrations run (they name
            // every object with its schema, so nothing else changes).
            .schemas(HISTORY_SCHEMA)
            .defaultSchema(HISTORY_SCHEMA)
            .table(HISTORY_TABLE)
            .load();
        ValidateResult validated = validate(flyway);
        if (validated != null && validated.validationSuccessful) {
            return; // the usual start: nothing to apply
        }
        List<ValidateOutput> mismatched =
            validated == null ? List.of() : HistoryMismatch.of(validated.invalidMigrations);
        if (!mismatched.isEmpty()) {
            // Refused before any lock, whoever holds one: nothing is applied to a history that differs.
            throw new WarehouseNotReadyException(HistoryMismatch.explain(mismatched, flyway.info().all()), null);
        }
        FlywayLock lock = new FlywayLock(dataSource);
        if (onlyToApply(validated)) {
            lock.awaitFree(flywayWait, steps);
        }
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            throw lock.explain(e);
        }
        // A start that changed the schema says so: an operator comparing two starts, or a
        // warehouse a start left half migrated, finds it in the log.
        if (result.migrationsExecuted > 0) {
            LOG.info("applied {} migration(s) to the warehouse, now at version {}", result.migrationsExecuted,
                result.targetSchemaVersion);
        }
    }

    /**
     * Flyway's validation with pending migrations counted as errors, which migrate ignores:
     * successful when every migration of ours is applied and succeeded and none was edited since.
     * It reads the history and takes no lock. Null when it cannot run: migrate says why.
     */
    private static ValidateResult validate(Flyway flyway) {
        try {
            return flyway.validateWithResult();
        } catch (FlywayException e) {
            return null;
        }
    }

    /**
     * Whether all the validation found is migrations to apply (a new warehouse has no schema yet).
     * A history that differs from this build's migrations is refused before this
     * ({@link HistoryMismatch}); anything else goes straight to migrate, which validates before it
     * takes its lock, and so refuses at once, whoever holds the lock.
     */
    private static boolean onlyToApply(ValidateResult validated) {
        if (validated == null) {
            return false;
        }
        if (validated.invalidMigrations.isEmpty()) {
            return validated.errorDetails != null
                && validated.errorDetails.errorCode == CoreErrorCode.SCHEMA_DOES_NOT_EXIST;
        }
        return validated.invalidMigrations.stream().allMatch(invalid -> invalid.errorDetails != null
            && invalid.errorDetails.errorCode == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED);
    }

    /**
     * Moves our history table from any other schema into {@code dwh}, when {@code dwh} has none.
     * Only a table that holds our first migration is ours: another application's Flyway history
     * in the same database is left where it is. Looked for without a lock, then again under
     * {@link ChangeLock} once there is one to move (another instance may have moved it meanwhile).
     */
    private static void moveHistoryIntoPlace(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            if (exists(c, HISTORY_SCHEMA) || nothingElsewhere(c)) {
                return; // in place (the usual start), or a new warehouse
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                ChangeLock.take(c, MOVE_LOCK, MOVE_WAIT, "move the migration history into schema " + HISTORY_SCHEMA);
                List<String> ours = exists(c, HISTORY_SCHEMA) ? List.of() : elsewhere(c);
                if (!ours.isEmpty()) {
                    if (ours.size() > 1) {
                        throw new IllegalStateException("the warehouse has our migration history in more than one "
                            + "schema (" + String.join(", ", ours) + "); keep the one in use, drop the others, "
                            + "and start again");
                    }
                    String from = ours.get(0);
                    s.execute("create schema if not exists " + HISTORY_SCHEMA);
                    s.execute("alter table " + quote(from) + "." + HISTORY_TABLE + " set schema " + HISTORY_SCHEMA);
                    LOG.warn("moved the migration history from schema {} to {}.{}, where it now stays",
                        from, HISTORY_SCHEMA, HISTORY_TABLE);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new WarehouseException("cannot check where the migration history is", e);
        }
    }

    /**
     * Whether, at a look without the lock, no schema but dwh has a history of ours. A table listed
     * and gone before it is read (another instance moving it at that moment) counts as one: the
     * look under the lock settles it.
     */
    private static boolean nothingElsewhere(Connection c) throws SQLException {
        try {
            return elsewhere(c).isEmpty();
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table
                return false;
            }
            throw e;
        }
    }

    private static boolean exists(Connection c, String schema) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "select to_regclass(format('%I.%I', ?::text, ?::text)) is not null")) {
            q.setString(1, schema);
            q.setString(2, HISTORY_TABLE);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    /** The schemas other than dwh with a history table of ours (one that applied V1__warehouse.sql). */
    private static List<String> elsewhere(Connection c) throws SQLException {
        List<String> candidates = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(
                "select schemaname from pg_tables where tablename = ? and schemaname <> ? order by schemaname")) {
            q.setString(1, HISTORY_TABLE);
            q.setString(2, HISTORY_SCHEMA);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    candidates.add(r.getString(1));
                }
            }
        }
        List<String> ours = new ArrayList<>();
        for (String schema : candidates) {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select exists (select 1 from " + quote(schema) + "." + HISTORY_TABLE
                     + " where script = 'V1__warehouse.sql' and success)")) {
                r.next();
                if (r.getBoolean(1)) {
                    ours.add(schema);
                }
            }
        }
        return ours;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
