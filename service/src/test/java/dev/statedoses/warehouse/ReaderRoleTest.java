package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * dwh_reader, the analysts' login: it reads the product, its weeks and the refresh log with its
 * password (DWH_READER_PASSWORD), and can neither read the rest nor write anything. Each test has
 * a PostgreSQL server of its own that asks every role but postgres for its password, as a real
 * server does (the embedded one trusts local logins): the role is the server's, not a database's.
 */
class ReaderRoleTest {

    private static final String PASSWORD = "r3ad only, 'quoted'";

    private StoppableWarehouse server;
    private FixtureServer upstream;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReaderRole.class);

    @BeforeEach
    void start() {
        server = StoppableWarehouse.start();
        server.requirePasswords();
        upstream = FixtureServer.start();
        log.start();
        logger.addAppender(log);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(log);
        logger.setLevel(null);
        upstream.close();
        server.close();
    }

    @Test
    void theReaderReadsTheProductItsWeeksAndTheRefreshLog() throws SQLException {
        Config config = ConfigBuilder.from(upstream.serveFixtureSources(server.configure(Config.fromEnvironment(Map.of()))))
            .readerPassword(PASSWORD).build();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
        }
        try (Connection reader = DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD)) {
            // The fixture numbers (fixtures/README.md): 51 states, 2 weeks each, one run, 3 sources,
            // 12 checks, 4 excluded jurisdictions (Federal Entities, Guam, Palau, Atlantis).
            assertEquals(51, count(reader, "dwh.state_doses"));
            assertEquals(7500, number(reader, "select doses_total from dwh.state_doses where state_code = 'NY'"));
            assertEquals(102, count(reader, "dwh.state_doses_weekly"));
            assertEquals(1, count(reader, "dwh.refresh_runs"));
            assertEquals(3, count(reader, "dwh.refresh_run_sources"));
            assertEquals(12, count(reader, "dwh.refresh_checks"));
            assertEquals(4, count(reader, "dwh.refresh_exclusions"));
            assertTrue(log.list.stream().anyMatch(e -> e.getFormattedMessage().equals(
                "created the read-only role dwh_reader")), lines().toString());
        }
        assertFalse(lines().toString().contains("r3ad only"), "the password is never logged");
    }

    @Test
    void theReaderCanNeitherReadTheRestNorWrite() throws SQLException {
        Config config = ConfigBuilder.from(upstream.serveFixtureSources(server.configure(Config.fromEnvironment(Map.of()))))
            .readerPassword(PASSWORD).build();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
        }
        try (Connection reader = DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD)) {
            for (String table : List.of("raw.cdc_moderna_allocations", "raw.cdc_pfizer_allocations",
                    "raw.county_population", "raw.allocations", "dwh.jurisdictions", "dwh.flyway_schema_history")) {
                assertEquals("42501", failure(reader, "select count(*) from " + table), table); // permission denied
            }
            // Its sessions are read-only by default...
            assertEquals("25006", failure(reader, "delete from dwh.state_doses"));
            // ...and without that, it has no privilege to write anything.
            try (Statement s = reader.createStatement()) {
                s.execute("set default_transaction_read_only = off");
            }
            for (String write : List.of(
                    "insert into dwh.refresh_runs (status, started_at) values ('running', now())",
                    "update dwh.state_doses set population = 0",
                    "delete from dwh.state_doses_weekly",
                    "truncate dwh.refresh_checks",
                    "insert into raw.county_population (run_id, line, county, state, population_estimate_2018) "
                        + "values (1, 2, 'x', 'Texas', 1)",
                    "create table dwh.mine (i int)",
                    "create table public.mine (i int)",
                    "alter table dwh.state_doses add column mine int",
                    "grant select on dwh.jurisdictions to dwh_reader")) {
                assertEquals("42501", failure(reader, write), write);
            }
        }
        // The product is as it was.
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "")) {
            assertEquals(51, count(owner, "dwh.state_doses"));
            assertEquals(102, count(owner, "dwh.state_doses_weekly"));
        }
    }

    @Test
    void aStartTakesBackWhatElseTheReaderWasGrantedAndOtherwiseChangesNothing() throws SQLException {
        Config config = server.configure(Config.fromEnvironment(Map.of()));
        try (RunningApp app = RunningApp.start(config)) {
            // the grants
        }
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = owner.createStatement()) {
            assertEquals(List.of(), ReaderRole.wrong(owner), "exactly the grants");
            s.execute("grant select on raw.county_population to dwh_reader");
            s.execute("grant usage on schema raw to dwh_reader");
            s.execute("grant insert on dwh.refresh_runs to dwh_reader");
            assertEquals(List.of("more than select on dwh.refresh_runs", "more than select on raw.county_population",
                "usage on schema raw"), ReaderRole.wrong(owner));
        }
        log.list.clear();
        try (RunningApp app = RunningApp.start(config)) {
            // takes them back
        }
        assertEquals(List.of("INFO granted dwh_reader what it may read in this database (it had: more than select "
            + "on dwh.refresh_runs, more than select on raw.county_population, usage on schema raw)"), lines());
        log.list.clear();
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "")) {
            assertEquals(List.of(), ReaderRole.wrong(owner));
            String acl = text(owner, "select relacl::text from pg_class where oid = 'dwh.state_doses'::regclass");
            try (RunningApp app = RunningApp.start(config)) {
                // nothing to do
            }
            assertEquals(List.of(), lines(), "a start with the grants right writes nothing");
            assertEquals(acl, text(owner, "select relacl::text from pg_class where oid = 'dwh.state_doses'::regclass"));
        }
    }

    @Test
    void thePasswordIsTheEnvironmentsAndFollowsIt() throws SQLException {
        Config config = server.configure(Config.fromEnvironment(Map.of()));
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).readerPassword(PASSWORD).build())) {
            // started: the role has this password
        }
        DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD).close();
        assertEquals("28P01", assertThrows(SQLException.class, () -> DriverManager.getConnection(
            server.jdbcUrl("postgres"), ReaderRole.NAME, "wrong")).getSQLState()); // invalid_password
        // Stored hashed, never as given.
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "")) {
            String stored = text(owner, "select rolpassword from pg_authid where rolname = 'dwh_reader'");
            assertTrue(stored.startsWith("SCRAM-SHA-256$"), stored);
        }
        // A new password at the next start replaces it; no password leaves it as it is.
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).readerPassword("another one").build())) {
            // started
        }
        assertEquals("28P01", assertThrows(SQLException.class, () -> DriverManager.getConnection(
            server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD)).getSQLState());
        try (RunningApp app = RunningApp.start(config)) {
            // started without DWH_READER_PASSWORD
        }
        DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, "another one").close();
    }

    @Test
    void aServiceRoleThatMayNotCreateRolesSaysWhatToRun() throws SQLException {
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = admin.createStatement()) {
            s.execute("create role etl login password 'etl'");
            s.execute("create database warehouse owner etl");
        }
        Config config = ConfigBuilder.from(upstream.serveFixtureSources(server.configure(Config.fromEnvironment(Map.of()))))
            .database("127.0.0.1", server.port(), "warehouse", "etl", "etl").readerPassword(PASSWORD).build();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200); // the service runs without the role
        }
        assertEquals(List.of("WARN DWH_READER_PASSWORD is set, but there is no role dwh_reader and role etl may not "
            + "create roles: to give analysts a read-only login, run as a superuser: create role dwh_reader login "
            + "password '<DWH_READER_PASSWORD>'; alter role dwh_reader set default_transaction_read_only = on; then "
            + "restart the service, which grants it SELECT on the product, its weeks and the refresh log"), lines());

        // An administrator runs it; the next start grants the role what it may read.
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = admin.createStatement()) {
            s.execute("create role dwh_reader login password 'chosen by the admin'");
            s.execute("alter role dwh_reader set default_transaction_read_only = on");
        }
        log.list.clear();
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).readerPassword(null).build())) {
            // started
        }
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(lines().get(0).startsWith("INFO granted dwh_reader what it may read in this database (it had: "
            + "no select on dwh.refresh_checks, "), lines().toString());
        try (Connection reader = DriverManager.getConnection(server.jdbcUrl("warehouse"), ReaderRole.NAME,
                "chosen by the admin")) {
            assertEquals(51, count(reader, "dwh.state_doses"));
            assertEquals("42501", failure(reader, "select count(*) from raw.county_population"));
        }
    }

    /**
     * The role is the server's: the services of several databases on one server (the tests' many
     * databases, a refresh and a service) make it ready at the same moment without an error.
     */
    @Test
    void severalDatabasesOfOneServerMakeItReadyAtOnce() throws Exception {
        int databases = 4;
        List<Warehouse> warehouses = new ArrayList<>();
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = admin.createStatement()) {
            for (int i = 0; i < databases; i++) {
                s.execute("create database at_once_" + i);
                warehouses.add(Warehouse.connect(server.jdbcUrl("at_once_" + i), "postgres", "", null));
            }
        }
        ExecutorService threads = Executors.newFixedThreadPool(databases);
        try {
            for (int round = 0; round < 3; round++) {
                CyclicBarrier together = new CyclicBarrier(databases);
                List<Future<?>> started = new ArrayList<>();
                for (Warehouse warehouse : warehouses) {
                    started.add(threads.submit(() -> {
                        together.await();
                        ReaderRole.ensure(warehouse.dataSource(), PASSWORD);
                        return null;
                    }));
                }
                for (Future<?> done : started) {
                    done.get();
                }
            }
        } finally {
            threads.shutdown();
            warehouses.forEach(Warehouse::close);
        }
        assertEquals(List.of(), lines().stream().filter(l -> l.startsWith("WARN")).toList());
        for (int i = 0; i < databases; i++) {
            try (Connection reader = DriverManager.getConnection(server.jdbcUrl("at_once_" + i), ReaderRole.NAME,
                    PASSWORD)) {
                assertEquals(0, count(reader, "dwh.state_doses")); // granted, and empty: no refresh here
            }
        }
    }

    private List<String> lines() {
        return log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    private static long count(Connection c, String table) throws SQLException {
        return number(c, "select count(*) from " + table);
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    /** The SQLSTATE {@code sql} fails with (it must fail). */
    private static String failure(Connection c, String sql) {
        return assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }, sql).getSQLState();
    }
}
