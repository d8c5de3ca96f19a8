package dev.statedoses.warehouse;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the read-only login can do that no grant controls, and why it cannot hold refreshes off:
 * any session may take any advisory lock (the key refreshes once took among them), so one refresh
 * at a time is the row lock on dwh.refresh_lock, which takes a privilege the reader has not; the
 * table lock the reader can get (PostgreSQL takes it when it analyses a statement, before it
 * checks privileges) does not stand in a refresh's way. A server of the test's own that asks for
 * passwords, as a real one does.
 */
class ReaderSessionTest {

    private static final String PASSWORD = "reader-pw";
    /** The advisory key refreshes once took ("StateDos"), as a reader could read it from pg_locks. */
    private static final long REFRESH_KEY = 0x5374_6174_6544_6f73L;

    private StoppableWarehouse server;
    private FixtureServer upstream;

    @BeforeEach
    void start() {
        server = StoppableWarehouse.start();
        server.requirePasswords();
        upstream = FixtureServer.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
        server.close();
    }

    @Test
    void aReaderHoldsNoRefreshOffWithTheLocksItCanTake() throws SQLException {
        Config config = ConfigBuilder.from(upstream.serveFixtureSources(server.configure(Config.fromEnvironment(Map.of()))))
            .readerPassword(PASSWORD).build();
        try (RunningApp app = RunningApp.start(config);
             Connection reader = DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD);
             Connection holder = DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD)) {
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));

            // The reader takes the key, for its session, and keeps it.
            assertTrue(bool(reader, "select pg_try_advisory_lock(" + REFRESH_KEY + ")"));
            // Another session of it holds the table lock a refresh holds with its row lock: a
            // statement prepared in an open transaction is locked for, not yet checked.
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("prepare held as select only_row from dwh.refresh_lock for update");
            }
            // It cannot take the row lock, in any way, even out of its read-only default.
            try (Statement s = reader.createStatement()) {
                s.execute("set default_transaction_read_only = off");
            }
            for (String lock : List.of("select only_row from dwh.refresh_lock for update",
                    "select only_row from dwh.refresh_lock for no key update skip locked",
                    "select only_row from dwh.refresh_lock for share",
                    "select only_row from dwh.refresh_lock for key share",
                    "lock table dwh.refresh_lock in row share mode",
                    "lock table dwh.refresh_lock in row exclusive mode",
                    "lock table dwh.refresh_lock in access exclusive mode")) {
                assertEquals("42501", failure(reader, lock), lock); // permission denied
            }

            // Refreshes run all the same, one after another, and each is served.
            for (int i = 0; i < 3; i++) {
                app.given().post("/refresh?force=true").then().statusCode(200)
                    .body("status", equalTo("succeeded"));
            }
            app.given().get("/refreshes?limit=5").then().statusCode(200)
                .body("status", equalTo(List.of("succeeded", "succeeded", "succeeded", "succeeded")));
            app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
            assertTrue(bool(holder, "select exists (select 1 from pg_locks where pid = pg_backend_pid() "
                + "and relation = 'dwh.refresh_lock'::regclass and mode = 'RowShareLock' and granted)"),
                "the reader held the table lock throughout");
            holder.rollback();
        }
    }

    private static boolean bool(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The SQLSTATE {@code sql} fails with (in a transaction of its own, rolled back), or "none". */
    private static String failure(Connection connection, String sql) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
            return "none";
        } catch (SQLException e) {
            return e.getSQLState();
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }
}
