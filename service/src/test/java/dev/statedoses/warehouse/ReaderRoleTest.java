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
            // 13 checks, 4 excluded jurisdictions (Federal Entities, Guam, Palau, Atlantis).
            assertEquals(51, count(reader, "dwh.state_doses"));
            assertEquals(7500, number(reader, "select doses_total from dwh.state_doses where state_code = 'NY'"));
            assertEquals(102, count(reader, "dwh.state_doses_weekly"));
            assertEquals(1, count(reader, "dwh.refresh_runs"));
            assertEquals(3, count(reader, "dwh.refresh_run_sources"));
            assertEquals(13, count(reader, "dwh.refresh_checks"));
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
            assertEquals(List.of("insert on table dwh.refresh_runs", "select on table raw.county_population",
                "usage on schema raw"), ReaderRole.wrong(owner));
        }
        log.list.clear();
        try (RunningApp app = RunningApp.start(config)) {
            // takes them back
        }
        assertEquals(List.of("INFO granted dwh_reader what it may read in this database (it had: insert on table "
            + "dwh.refresh_runs, select on table raw.county_population, usage on schema raw)"), lines());
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

    /**
     * Every kind of privilege a person may give the reader in a database: on every table and view
     * of dwh and raw (the run tables included), on one column of each, on their sequences, on
     * schemas, a routine, a type, a language, a large object, the database, and default
     * privileges. The start's check names each one, the start takes it back, and the documented
     * grants stay exactly. has_table_privilege, which the check used, sees no column privilege:
     * an UPDATE on one column of the product survived every start.
     */
    @Test
    void aStartFindsAndTakesBackEveryKindOfGrant() throws SQLException {
        Config config = ConfigBuilder.from(server.configure(Config.fromEnvironment(Map.of())))
            .readerPassword(PASSWORD).build();
        try (RunningApp app = RunningApp.start(config)) {
            // the grants
        }
        List<String> documented = List.of("connect on database postgres", "select on table dwh.refresh_checks",
            "select on table dwh.refresh_exclusions", "select on table dwh.refresh_run_sources",
            "select on table dwh.refresh_runs", "select on table dwh.state_doses",
            "select on table dwh.state_doses_weekly", "usage on schema dwh");
        List<String> product = List.of("dwh.refresh_checks", "dwh.refresh_exclusions", "dwh.refresh_run_sources",
            "dwh.refresh_runs", "dwh.state_doses", "dwh.state_doses_weekly");
        Map<String, String> grants = new java.util.LinkedHashMap<>(); // the grant -> what the check says
        Warehouse warehouse = Warehouse.connect(server.jdbcUrl("postgres"), "postgres", "", null);
        try (warehouse; Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = owner.createStatement()) {
            assertEquals(documented, privileges(owner));
            s.execute("create function dwh.extra(i int) returns int language sql as 'select i'");
            s.execute("create sequence dwh.extra_numbers");
            s.execute("create type dwh.extra_kind as enum ('a', 'b')");
            long largeObject = number(owner, "select lo_create(0)");
            List<String[]> relations = new ArrayList<>();
            try (ResultSet r = s.executeQuery("select n.nspname || '.' || c.relname, c.relkind::text, "
                    + "(select attname from pg_attribute where attrelid = c.oid and attnum = 1) "
                    + "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    + "where n.nspname in ('dwh', 'raw') and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') order by 1")) {
                while (r.next()) {
                    relations.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
                }
            }
            assertTrue(relations.size() >= 15, relations.size() + " relations"); // 8 + 4 tables, a view, sequences
            for (String[] relation : relations) {
                String name = relation[0];
                if (relation[1].equals("S")) {
                    for (String privilege : List.of("usage", "select", "update")) {
                        grants.put("grant " + privilege + " on sequence " + name, privilege + " on sequence " + name);
                    }
                    continue;
                }
                String kind = relation[1].equals("v") ? "view" : "table";
                for (String privilege : List.of("insert", "update", "delete", "truncate", "references", "trigger")) {
                    grants.put("grant " + privilege + " on " + name, privilege + " on " + kind + " " + name);
                }
                grants.put(product.contains(name) ? "grant select on " + name + " to dwh_reader with grant option"
                        : "grant select on " + name,
                    "select" + (product.contains(name) ? " with grant option" : "") + " on " + kind + " " + name);
                for (String privilege : List.of("select", "insert", "update", "references")) {
                    grants.put("grant " + privilege + " (" + relation[2] + ") on " + name,
                        privilege + " on " + kind + " column " + name + "." + relation[2]);
                }
            }
            grants.put("grant create on schema dwh", "create on schema dwh");
            grants.put("grant usage on schema raw", "usage on schema raw");
            grants.put("grant create on schema raw", "create on schema raw");
            grants.put("grant usage, create on schema public", "create on schema public");
            grants.put("grant execute on function dwh.extra(int)", "execute on function dwh.extra(integer)");
            grants.put("grant usage on type dwh.extra_kind", "usage on type dwh.extra_kind");
            grants.put("grant usage on language plpgsql", "usage on language plpgsql");
            grants.put("grant select, update on large object " + largeObject, "select on large object " + largeObject);
            grants.put("grant create, temporary on database postgres", "create on database postgres");
            grants.put("grant connect on database postgres to dwh_reader with grant option",
                "connect with grant option on database postgres");
            grants.put("alter default privileges in schema dwh grant select on tables",
                "select on default acl for role postgres in schema dwh on tables");
            grants.put("alter default privileges grant execute on functions",
                "execute on default acl for role postgres on functions");

            // One at a time: found, taken back, and nothing else changed.
            for (Map.Entry<String, String> grant : grants.entrySet()) {
                String sql = grant.getKey().contains(" to dwh_reader") ? grant.getKey() : grant.getKey() + " to dwh_reader";
                s.execute(sql);
                List<String> wrong = ReaderRole.wrong(owner);
                assertTrue(wrong.contains(grant.getValue()), sql + ": " + wrong);
                ReaderRole.ensure(warehouse.dataSource(), null);
                assertEquals(List.of(), ReaderRole.wrong(owner), sql);
                assertEquals(documented, privileges(owner), sql);
            }

            // All at once, and a start takes them back.
            for (String grant : grants.keySet()) {
                s.execute(grant.contains(" to dwh_reader") ? grant : grant + " to dwh_reader");
            }
            List<String> all = ReaderRole.wrong(owner);
            for (String expected : grants.values()) {
                assertTrue(all.contains(expected), expected + " in " + all);
            }
            assertTrue(privileges(owner).size() > grants.size(), privileges(owner).toString());
        }
        log.list.clear();
        try (RunningApp app = RunningApp.start(config)) {
            // takes them back
        }
        assertEquals(1, lines().size(), lines().toString());
        assertTrue(lines().get(0).startsWith("INFO granted dwh_reader what it may read in this database (it had: "
            + "connect with grant option on database postgres, create on database postgres, "), lines().get(0));
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "")) {
            assertEquals(List.of(), ReaderRole.wrong(owner));
            assertEquals(documented, privileges(owner));
            assertEquals("false", text(owner, "select has_column_privilege('dwh_reader', 'dwh.state_doses', "
                + "'people_per_dose', 'update')::text"));
        }
        // The reviewer's case: a column's UPDATE no longer survives a start.
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl("postgres"), "postgres", "");
             Statement s = owner.createStatement()) {
            s.execute("grant update (people_per_dose) on dwh.state_doses to dwh_reader");
            s.execute("grant select (name, census_2020_population) on dwh.jurisdictions to dwh_reader");
            assertEquals(List.of("select on table column dwh.jurisdictions.census_2020_population",
                "select on table column dwh.jurisdictions.name",
                "update on table column dwh.state_doses.people_per_dose"), ReaderRole.wrong(owner));
        }
        try (RunningApp app = RunningApp.start(config)) {
            // takes them back
        }
        try (Connection reader = DriverManager.getConnection(server.jdbcUrl("postgres"), ReaderRole.NAME, PASSWORD);
             Statement s = reader.createStatement()) {
            s.execute("set default_transaction_read_only = off");
            assertEquals("42501", failure(reader, "update dwh.state_doses set people_per_dose = 99"));
            assertEquals("42501", failure(reader, "select name from dwh.jurisdictions"));
        }
    }

    /** Every privilege granted to dwh_reader in the database, read from the catalog's access lists. */
    private static List<String> privileges(Connection c) throws SQLException {
        List<String> all = new ArrayList<>();
        String sql = """
            with acl (classid, objid, objsubid, entry) as (
                select 'pg_class'::regclass, oid, 0, aclexplode(relacl) from pg_class
                union all select 'pg_class'::regclass, attrelid, attnum::int, aclexplode(attacl) from pg_attribute
                union all select 'pg_namespace'::regclass, oid, 0, aclexplode(nspacl) from pg_namespace
                union all select 'pg_proc'::regclass, oid, 0, aclexplode(proacl) from pg_proc
                union all select 'pg_type'::regclass, oid, 0, aclexplode(typacl) from pg_type
                union all select 'pg_language'::regclass, oid, 0, aclexplode(lanacl) from pg_language
                union all select 'pg_largeobject'::regclass, oid, 0, aclexplode(lomacl) from pg_largeobject_metadata
                union all select 'pg_database'::regclass, oid, 0, aclexplode(datacl) from pg_database
                    where datname = current_database()
                union all select 'pg_default_acl'::regclass, oid, 0, aclexplode(defaclacl) from pg_default_acl
            )
            select lower((entry).privilege_type) || case when (entry).is_grantable then ' with grant option' else '' end
                   || ' on ' || (pg_identify_object(classid, objid, objsubid)).type || ' '
                   || (pg_identify_object(classid, objid, objsubid)).identity
            from acl where (entry).grantee = 'dwh_reader'::regrole order by 1""";
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                all.add(r.getString(1));
            }
        }
        return all;
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
            + "no select on table dwh.refresh_checks, "), lines().toString());
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
