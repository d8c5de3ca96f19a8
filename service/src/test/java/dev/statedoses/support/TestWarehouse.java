package dev.statedoses.support;

import dev.statedoses.Config;
import dev.statedoses.warehouse.Warehouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
                // checkpoint then does not wait on the disk.
                Path dir = Files.createTempDirectory("epg");
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                    .setDataDirectory(dir).setCleanDataDirectory(false).start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndRemove(postgres, dir)));
                return postgres;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL for the tests", e);
            }
        }

        /**
         * Stops the server and removes its directory, within surefire's 30 s for exit hooks. A
         * whole run leaves some 500 MB in over a hundred thousand files (a database per test
         * class); the library's own delete walked them in Java and was still at it after 30 s,
         * when surefire killed the JVM and left the directory half deleted. {@code rm -rf} takes
         * seconds; it starts once the server has gone (the library's own exit hook may be the one
         * stopping it), and Java's walk stays for a system without rm (only there: two deletes at
         * once on one directory would only race, and an rm still at work is left to finish).
         */
        private static void stopAndRemove(EmbeddedPostgres postgres, Path dir) {
            try {
                postgres.close();
                Path pid = dir.resolve("postmaster.pid");
                for (int i = 0; i < 200 && Files.exists(pid); i++) {
                    Thread.sleep(50);
                }
                Process rm;
                try {
                    rm = new ProcessBuilder("rm", "-rf", dir.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                } catch (IOException noRm) {
                    rm = null;
                }
                if (rm != null) {
                    rm.waitFor(20, TimeUnit.SECONDS);
                    return;
                }
                try (Stream<Path> paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            } catch (IOException | RuntimeException e) {
                // the JVM is exiting; what is left is under the build's temporary directory
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    /** How many times PostgreSQL has vacuumed {@code table} (schema-qualified) by hand, not by autovacuum. */
    public static long vacuumCount(Jdbi db, String table) {
        return db.withHandle(h -> h.createQuery(
                "select vacuum_count from pg_stat_user_tables where relid = cast(:table as regclass)")
            .bind("table", table).mapTo(Long.class).one());
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
