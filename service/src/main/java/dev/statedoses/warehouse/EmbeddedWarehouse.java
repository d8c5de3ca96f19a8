package dev.statedoses.warehouse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default warehouse when no DB_HOST is given: a real PostgreSQL 16 server run from the jar,
 * its data in a directory that survives restarts. When another state-doses process already runs
 * it (say `serve` while `refresh` starts), that server is used instead of starting a second.
 */
public final class EmbeddedWarehouse implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);
    public static final String USER = "postgres";

    private final EmbeddedPostgres server;
    private final int port;

    private EmbeddedWarehouse(EmbeddedPostgres server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts (or joins) the server on {@code port} with its data in {@code dataDir}, and ensures {@code database} exists. */
    public static EmbeddedWarehouse start(Path dataDir, int port, String database) {
        EmbeddedPostgres server = null;
        if (runningOn(port, dataDir)) {
            LOG.info("embedded warehouse already running on port {} (data in {}): using it", port, dataDir);
        } else {
            try {
                Files.createDirectories(dataDir);
                server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // The embedded library tunes its server for throwaway test data (fsync and
                    // synchronous commit off); this one keeps the warehouse, so it must be durable.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // Stopped by Warehouse.close(), after the service has drained its requests
                    // (Main's shutdown hook). The library's own hook would stop it at the same
                    // time, under requests still in flight: JVM shutdown hooks run side by side.
                    .setRegisterShutdownHook(false)
                    .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded warehouse in " + dataDir
                    + " on port " + port + " (is the port taken? set DB_PORT)", e);
            }
        }
        createDatabaseIfMissing(port, database);
        LOG.info("warehouse: embedded PostgreSQL, data in {}; psql: psql -h 127.0.0.1 -p {} -U {} {}",
            dataDir, port, USER, database);
        return new EmbeddedWarehouse(server, port);
    }

    public int port() {
        return port;
    }

    /** Whether a PostgreSQL server answers on the port and keeps its data in dataDir (ours, then). */
    private static boolean runningOn(int port, Path dataDir) {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, props);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("show data_directory")) {
            r.next();
            Path theirs = Path.of(r.getString(1)).toAbsolutePath().normalize();
            if (!theirs.equals(dataDir.toAbsolutePath().normalize())) {
                throw new IllegalStateException("port " + port + " is taken by another PostgreSQL server (data in "
                    + theirs + "); set DB_PORT to a free port for the embedded warehouse");
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void createDatabaseIfMissing(int port, String database) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, USER, "");
             Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery(
                "select 1 from pg_database where datname = '" + database.replace("'", "''") + "'")) {
                if (r.next()) {
                    return;
                }
            }
            s.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " in the embedded warehouse", e);
        }
    }

    /** Stops the server if this process started it; a joined server belongs to its owner. */
    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("embedded warehouse did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
