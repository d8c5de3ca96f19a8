package dev.statedoses.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
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
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    static final String HISTORY_SCHEMA = "dwh";
    static final String HISTORY_TABLE = "flyway_schema_history";

    /** Held while the history is moved, so two instances starting at once do not both move it. */
    private static final long MOVE_LOCK = 0x5374_6174_6546_6c79L; // "StateFly"

    private Migrations() {
    }

    static void apply(DataSource dataSource) {
        moveHistoryIntoPlace(dataSource);
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            // The history's schema, and the current schema while migrations run (they name
            // every object with its schema, so nothing else changes).
            .schemas(HISTORY_SCHEMA)
            .defaultSchema(HISTORY_SCHEMA)
            .table(HISTORY_TABLE)
            .load()
            .migrate();
    }

    /**
     * Moves our history table from any other schema into {@code dwh}, when {@code dwh} has none.
     * Only a table that holds our first migration is ours: another application's Flyway history
     * in the same database is left where it is.
     */
    private static void moveHistoryIntoPlace(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + MOVE_LOCK + ")");
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
