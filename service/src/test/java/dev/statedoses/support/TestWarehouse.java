package dev.statedoses.support;

import dev.statedoses.Config;
import dev.statedoses.warehouse.Warehouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;

/**
 * A real PostgreSQL 16 server for the tests (embedded, no Docker, no machine PostgreSQL), started
 * once per test run; each test class gets a database of its own, so classes cannot see each
 * other's data.
 */
public final class TestWarehouse {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private TestWarehouse() {
    }

    private static final class Server {
        static final EmbeddedPostgres POSTGRES = start();

        private static EmbeddedPostgres start() {
            try {
                // fsync off: a test server's data need not survive a power cut, and its shutdown
                // checkpoint then does not wait on the disk. The library stops it with pg_ctl's
                // 5-s wait and deletes its directory right after, even while the server still writes.
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the server's directory is temporary
                    }
                }));
                return postgres;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL for the tests", e);
            }
        }
    }

    /** A new, empty database; the service's migrations create its schema when it connects. */
    public static Config newDatabase() {
        return newDatabase("postgres");
    }

    /**
     * A new, empty database owned by {@code role}, and a configuration that logs in as that role
     * (created, with login and no password, if it does not exist yet).
     */
    public static Config newDatabase(String role) {
        String name = "test_" + DATABASES.incrementAndGet();
        String owner = "\"" + role.replace("\"", "\"\"") + "\"";
        asSuperuser("do $$ begin if not exists (select 1 from pg_roles where rolname = '" + role.replace("'", "''")
            + "') then create role " + owner + " login; end if; end $$");
        asSuperuser("create database " + name + " owner " + owner);
        return ConfigBuilder.from(Config.fromEnvironment(Map.of()))
            .database("127.0.0.1", Server.POSTGRES.getPort(), name, role, "").build();
    }

    /** Runs one statement as the server's superuser, in its postgres database. */
    public static void asSuperuser(String sql) {
        try (Connection c = Server.POSTGRES.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run as superuser: " + sql, e);
        }
    }

    /** The JDBC URL of the database {@code config} points at. */
    public static String jdbcUrl(Config config) {
        return "jdbc:postgresql://" + config.dbHost() + ":" + config.dbPort() + "/" + config.dbName();
    }

    /** JDBI on the database {@code config} points at, without migrating it or pooling (a connection per handle). */
    public static Jdbi jdbi(Config config) {
        return Jdbi.create(jdbcUrl(config), config.dbUser(), config.dbPassword());
    }

    /**
     * A new database, migrated, with a connection pool: for tests of the warehouse's SQL itself
     * (MigratedDatabase gives a test class one).
     */
    public static Warehouse connectNewDatabase() {
        Config config = newDatabase();
        return Warehouse.connect(jdbcUrl(config), config.dbUser(), config.dbPassword(), null);
    }

    /** The first column of the first row {@code sql} answers, as text, in the database {@code env} points at. */
    public static String text(Map<String, String> env, String sql) {
        String url = "jdbc:postgresql://" + env.get("DB_HOST") + ":" + env.get("DB_PORT") + "/" + env.get("POSTGRES_DB");
        try (Connection c = java.sql.DriverManager.getConnection(url, env.get("POSTGRES_USER"),
                env.getOrDefault("POSTGRES_PASSWORD", ""));
             Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run: " + sql, e);
        }
    }

    /** A number {@code sql} answers (such as a count), in the database {@code env} points at. */
    public static long count(Map<String, String> env, String sql) {
        return Long.parseLong(text(env, sql));
    }

    /** An environment (as Main reads it) pointing at the database of {@code config}. */
    public static Map<String, String> environment(Config config) {
        return Map.of(
            "DB_HOST", config.dbHost(),
            "DB_PORT", Integer.toString(config.dbPort()),
            "POSTGRES_DB", config.dbName(),
            "POSTGRES_USER", config.dbUser(),
            "POSTGRES_PASSWORD", config.dbPassword(),
            "MODERNA_URL", config.modernaUrl().toString(),
            "PFIZER_URL", config.pfizerUrl().toString(),
            "COUNTY_POPULATION_URL", config.countyPopulationUrl().toString());
    }
}
