package dev.statedoses.support;

import dev.statedoses.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, which the test can stop and start again on the same data
 * and port while the service runs: an outage, and the recovery after it.
 */
public final class StoppableWarehouse implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private StoppableWarehouse(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /** What a test does with the service on a warehouse it can stop: the outage, and the recovery after it. */
    @FunctionalInterface
    public interface Outage {
        void run(StoppableWarehouse warehouse, RunningApp app) throws Exception;
    }

    /**
     * Starts a warehouse of its own, on a new database, the fixture sources on a {@link FixtureServer}
     * and the service on both, refreshes once (200), waits for the product to be served, and runs
     * {@code test} with the warehouse (to stop and restart) and the service; then closes the
     * service, the upstream and the warehouse.
     */
    public static void withRefreshedApp(Outage test) throws Exception {
        StoppableWarehouse warehouse = start();
        Config config = warehouse.configure(TestWarehouse.newDatabase());
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            app.given().post("/refresh").then().statusCode(200);
            // The refresh answers before this instance's snapshot has reloaded; a read waits for
            // it. Without it a warehouse stopped at once could leave the snapshot empty.
            app.given().get("/ratios").then().statusCode(200);
            test.run(warehouse, app);
        } finally {
            warehouse.close();
        }
    }

    public static StoppableWarehouse start() {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            StoppableWarehouse warehouse = new StoppableWarehouse(Files.createTempDirectory("stoppable-warehouse"), port);
            warehouse.restart();
            return warehouse;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code config} pointed at this server's {@code postgres} database. */
    public Config configure(Config config) {
        return ConfigBuilder.from(config).database("127.0.0.1", port, "postgres", "postgres", "").build();
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Makes TCP logins of every role but {@code postgres} need their password (scram-sha-256), as
     * a real server does; the embedded server trusts every local login. Reloaded at once.
     */
    public void requirePasswords() {
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), """
                local all all trust
                host all postgres 127.0.0.1/32 trust
                host all postgres ::1/128 trust
                host all all 127.0.0.1/32 scram-sha-256
                host all all ::1/128 scram-sha-256
                """);
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("select pg_reload_conf()");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reload the server's configuration", e);
        }
    }

    public void stop() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server again on the same data directory and port. */
    public void restart() {
        try {
            server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setPort(port).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server and deletes its data directory: a test leaves nothing in the temp directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dataDir, e);
        }
    }
}
