package dev.statedoses.warehouse;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * Any login may take any advisory key, the read-only dwh_reader too. A session holding one of the
 * keys a start takes, or once took, holds no start off on a warehouse that needs no change, nor
 * one that needs its history moved or its reader's grants corrected once dwh.refresh_lock exists
 * (the lock for those is a table lock only the owner can take). Where an advisory lock is left
 * (moving the history of a warehouse from before V14, Flyway's own when there are migrations to
 * apply), a start says who holds it, and gives up after a bounded wait naming them. Several
 * instances starting at once on one warehouse make each change once.
 */
class StartLocksTest {

    /** What earlier releases took at every start before looking for a history to move ("StateFly"). */
    private static final long MOVE_KEY = 0x5374_6174_6546_6c79L;
    /** What earlier releases took before granting, when the reader's grants differed ("StateRdr"). */
    private static final long GRANT_KEY = 0x5374_6174_6552_6472L;
    /**
     * Flyway's, for a history in dwh.flyway_schema_history (77431708279161 plus the hash of the
     * quoted name), as a reader could read it from pg_locks; theFlywayKeyIsTheOneFlywayTakes.
     */
    private static final long FLYWAY_KEY = 77432860933413L;
    /** Well above a start here (one to three seconds), well below Flyway's 50 tries of its lock. */
    private static final Duration PROMPTLY = Duration.ofSeconds(20);
    /** How the reader's session names itself, as an analyst's tool would. */
    private static final String TOOL = "analyst notebook";

    private static FixtureServer upstream;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(Migrations.class),
        (Logger) LoggerFactory.getLogger(FlywayLock.class), (Logger) LoggerFactory.getLogger(ReaderRole.class));

    @BeforeAll
    static void startUpstream() {
        upstream = FixtureServer.start();
        // The role is the server's: a first start anywhere on it creates dwh_reader.
        try (RunningApp app = RunningApp.start(TestWarehouse.newDatabase())) {
            app.given().get("/health/live").then().statusCode(200);
        }
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void listen() {
        log.start();
        for (Logger logger : loggers) {
            logger.addAppender(log);
            logger.setLevel(Level.INFO);
        }
    }

    @AfterEach
    void stopListening() {
        for (Logger logger : loggers) {
            logger.detachAppender(log);
            logger.setLevel(null);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {MOVE_KEY, GRANT_KEY, FLYWAY_KEY})
    void aReaderHoldingAKeyHoldsNoStartOffOnAWarehouseThatNeedsNoChange(long key) throws Exception {
        Config config = refreshedWarehouse();
        log.list.clear();
        try (Connection reader = reader(config)) {
            hold(reader, key);
            try (RunningApp app = assertTimeoutPreemptively(PROMPTLY, () -> RunningApp.start(config),
                    "a start while a reader holds advisory key " + key)) {
                app.given().get("/ratios/NY").then().statusCode(200)
                    .body("doses_total", equalTo(7500)).body("people_per_dose", equalTo(0.8f));
            }
            assertEquals(List.of(pid(reader)), holders(config, key), "the reader holds the key throughout");
        }
        assertEquals(List.of(), lines(Migrations.class), "a start with nothing to change says nothing of it");
        assertEquals(List.of(), lines(FlywayLock.class));
        assertEquals(List.of(), lines(ReaderRole.class));
    }

    @Test
    void aReaderHoldingTheGrantKeyHoldsOffNoCorrectionOfItsGrants() throws Exception {
        Config config = refreshedWarehouse();
        asOwner(config, "grant select on raw.county_population to " + ReaderRole.NAME);
        log.list.clear();
        try (Connection reader = reader(config); Connection preparing = reader(config)) {
            hold(reader, GRANT_KEY);
            // The table locks the reader can get on dwh.refresh_lock, by preparing statements in an
            // open transaction, stand in no start's way either.
            holdPrepared(preparing);
            try (RunningApp app = assertTimeoutPreemptively(PROMPTLY, () -> RunningApp.start(config),
                    "a start that corrects the grants while a reader holds the key")) {
                app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
            }
            assertEquals(List.of("INFO granted dwh_reader what it may read in this database (it had: select on "
                + "table raw.county_population)"), lines(ReaderRole.class));
            assertEquals(List.of(pid(reader)), holders(config, GRANT_KEY));
        }
        try (Connection reader = reader(config)) {
            assertEquals("42501", failure(reader, "select count(*) from raw.county_population"));
            assertEquals("51", text(reader, "select count(*) from dwh.state_doses"));
        }
    }

    /**
     * The lock on dwh.refresh_lock that grants and moves take is the owner's alone: held by the
     * owner (maintenance in an open transaction), it holds no refresh off, and a start that has
     * grants to correct waits 3 s for it, serves without them, names the holder, and grants at the
     * next start.
     */
    @Test
    void theOwnersLockOnTheRefreshLockTableDelaysGrantsOnlyAndIsNamed() throws Exception {
        Config config = refreshedWarehouse();
        asOwner(config, "grant select on raw.county_population to " + ReaderRole.NAME);
        log.list.clear();
        Properties login = new Properties();
        login.setProperty("user", config.dbUser());
        login.setProperty("password", config.dbPassword());
        login.setProperty("ApplicationName", "maintenance");
        try (Connection owner = DriverManager.getConnection(TestWarehouse.jdbcUrl(config), login)) {
            owner.setAutoCommit(false);
            try (Statement s = owner.createStatement()) {
                s.execute("lock table dwh.refresh_lock in share update exclusive mode");
            }
            try (RunningApp app = assertTimeoutPreemptively(PROMPTLY, () -> RunningApp.start(config))) {
                app.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
            }
            assertEquals(List.of("INFO dwh_reader not granted now, the next start grants it (select on table "
                + "raw.county_population): cannot grant dwh_reader what it may read: the lock on dwh.refresh_lock "
                + "(SHARE UPDATE EXCLUSIVE, which only the warehouse's owner may take: another instance making the "
                + "same change, or maintenance of that table) is still held after 3 s by pid " + pid(owner) + " (login "
                + "postgres, application 'maintenance'). End that session or let it finish (a superuser may end it: "
                + "select pg_terminate_backend(<pid>)), then start again"), lines(ReaderRole.class));
            owner.commit();
        }
        log.list.clear();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
        }
        assertEquals(List.of("INFO granted dwh_reader what it may read in this database (it had: select on table "
            + "raw.county_population)"), lines(ReaderRole.class));
    }

    @Test
    void aReaderHoldingTheMoveKeyHoldsOffNoMoveOfTheHistory() throws Exception {
        Config config = TestWarehouse.newDatabase();
        migrateTheOldWay(config, null); // every migration: dwh.refresh_lock is there
        try (Connection reader = reader(config)) {
            hold(reader, MOVE_KEY);
            try (RunningApp app = assertTimeoutPreemptively(PROMPTLY, () -> RunningApp.start(config),
                    "a start that moves the history while a reader holds the key")) {
                app.given().get("/refreshes").then().statusCode(200).body("size()", equalTo(0));
            }
            assertEquals(List.of(pid(reader)), holders(config, MOVE_KEY));
        }
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(config, "dwh"));
        assertNull(text(config, "select to_regclass('public.flyway_schema_history')::text"));
        assertEquals(List.of("WARN moved the migration history from schema public to dwh.flyway_schema_history, "
            + "where it now stays"), lines(Migrations.class));
    }

    /**
     * A warehouse from before V14 has no dwh.refresh_lock to lock: moving its history takes the
     * advisory key, waits 10 s for it, and then says who holds it and what to do.
     */
    @Test
    void beforeTheRefreshLockTableAMoveWaitsTenSecondsForTheKeyAndNamesItsHolder() throws Exception {
        Config config = TestWarehouse.newDatabase();
        migrateTheOldWay(config, "13");
        try (Connection reader = reader(config)) {
            hold(reader, MOVE_KEY);
            long began = System.nanoTime();
            RuntimeException failed = assertTimeoutPreemptively(Duration.ofSeconds(40),
                () -> assertThrows(RuntimeException.class, () -> RunningApp.start(config).close()),
                "a start that must move the history while a reader holds the key");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertTrue(waited >= 10_000 && waited < 30_000, waited + " ms");
            assertEquals("WarehouseLockedException", failed.getClass().getSimpleName(), failed.toString());
            assertEquals("cannot move the migration history into schema dwh: advisory key " + MOVE_KEY + " (taken "
                + "for it on a warehouse without dwh.refresh_lock), which any login may take, the read-only one too, "
                + "is still held after 10 s by pid " + pid(reader) + " (login dwh_reader, application '" + TOOL
                + "'). End that session or let it finish (a superuser may end it: select pg_terminate_backend(<pid>)), "
                + "then start again", failed.getMessage());
            assertEquals(List.of("1", "2", "3", "4", "5", "8", "10", "11", "12", "13"),
                MigrationHistoryTest.versions(config, "public"), "nothing moved, nothing migrated");
        }
        try (RunningApp app = RunningApp.start(config)) {
            app.given().get("/refreshes").then().statusCode(200);
        }
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(config, "dwh"));
    }

    /**
     * Migrations to apply wait for Flyway's key, which any login may hold: the start says who holds
     * it while it waits (60 s at most), and goes on when the holder lets go.
     */
    @Test
    void aStartWithMigrationsToApplySaysWhoHoldsFlywaysKeyAndGoesOnWhenItIsFree() throws Exception {
        Config config = TestWarehouse.newDatabase();
        CompletableFuture<RunningApp> starting;
        long holder;
        try (Connection reader = reader(config)) {
            hold(reader, FLYWAY_KEY);
            holder = pid(reader);
            starting = CompletableFuture.supplyAsync(() -> RunningApp.start(config));
            String waiting = "INFO the warehouse has migrations to apply, and Flyway's lock (advisory key " + FLYWAY_KEY
                + ") is held by pid " + holder + " (login dwh_reader, application '" + TOOL + "'): waiting up to 60 s "
                + "for it";
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            while (!lines(FlywayLock.class).contains(waiting)) {
                assertTrue(System.nanoTime() < deadline, "no line naming the holder: " + lines(FlywayLock.class));
                Thread.sleep(50);
            }
            Thread.sleep(1_000);
            assertFalse(starting.isDone(), "the start waits for the key");
        }
        try (RunningApp app = starting.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)) {
            app.given().get("/refreshes").then().statusCode(200).body("size()", equalTo(0));
        }
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(config, "dwh"));
    }

    /**
     * A SIGTERM while the start waits for Flyway's key (up to 60 s): the wait ends at once, and
     * the process says it stopped during the start. Since a signal lets the start's step under
     * way end first (StartSteps, 10 s at most), a wait that only looked at the key would have
     * held the exit for those 10 s.
     */
    @Test
    void aSignalWhileTheStartWaitsForFlywaysKeyEndsTheWaitAtOnce() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (Connection reader = reader(config)) {
            hold(reader, FLYWAY_KEY);
            try (ServiceProcess serve = ServiceProcess.start("serve", TestWarehouse.environment(config))) {
                serve.awaitLog("Flyway's lock (advisory key " + FLYWAY_KEY + ") is held by pid", PROMPTLY);
                serve.sigtermDuringTheStart(Duration.ofSeconds(8));
            }
        }
        assertNull(text(config, "select to_regclass('dwh.flyway_schema_history')::text"), "nothing migrated");
    }

    /**
     * Past its wait for Flyway's key (60 s; 2 here), the start fails naming the session that holds
     * it and what to do, and nothing is migrated. On a new warehouse Flyway's own tries would have
     * taken nearly nine minutes.
     */
    @Test
    void aStartWithMigrationsToApplyGivesUpOnFlywaysKeyNamingItsHolder() throws Exception {
        Config config = TestWarehouse.newDatabase();
        PGSimpleDataSource owner = new PGSimpleDataSource();
        owner.setUrl(TestWarehouse.jdbcUrl(config));
        owner.setUser(config.dbUser());
        owner.setPassword(config.dbPassword());
        try (Connection reader = reader(config)) {
            hold(reader, FLYWAY_KEY);
            long began = System.nanoTime();
            WarehouseLockedException failed = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(
                WarehouseLockedException.class, () -> Migrations.apply(owner, Duration.ofSeconds(2))));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertTrue(waited >= 2_000, waited + " ms");
            assertEquals("cannot migrate the warehouse: Flyway's lock (advisory key " + FLYWAY_KEY + "), which any "
                + "login may take, the read-only one too, is still held after 2 s by pid " + pid(reader) + " (login "
                + "dwh_reader, application '" + TOOL + "'). End that session or let it finish (a superuser may end it: "
                + "select pg_terminate_backend(<pid>)), then start again",
                failed.getMessage().replaceFirst("after [2-9] s", "after 2 s"));
        }
        assertNull(text(config, "select to_regclass('dwh.flyway_schema_history')::text"), "nothing migrated");
        Migrations.apply(owner, Duration.ofSeconds(2));
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(config, "dwh"));
    }

    /**
     * The key the tests above hold is the one Flyway's migrate takes, in the Flyway the build uses,
     * with migrations to apply (on a warehouse at V13, so that Flyway gives up after its one try;
     * on a new one it would try ten times over).
     */
    @Test
    void theFlywayKeyIsTheOneFlywayTakes() throws Exception {
        Config config = TestWarehouse.newDatabase();
        flyway(config).target("13").load().migrate();
        try (Connection reader = reader(config)) {
            hold(reader, FLYWAY_KEY);
            FlywayException failed = assertThrows(FlywayException.class,
                () -> flyway(config).lockRetryCount(1).load().migrate());
            assertTrue(failed.getMessage().startsWith("Number of retries exceeded while attempting to acquire "
                + "PostgreSQL advisory lock"), failed.getMessage());
        }
        flyway(config).load().migrate();
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(config, "dwh"));
    }

    /** Flyway as the service configures it (warehouse/Migrations.java). */
    private static FluentConfiguration flyway(Config config) {
        return Flyway.configure()
            .dataSource(TestWarehouse.jdbcUrl(config), config.dbUser(), config.dbPassword())
            .locations("classpath:db/migration")
            .schemas(Migrations.HISTORY_SCHEMA)
            .defaultSchema(Migrations.HISTORY_SCHEMA)
            .table(Migrations.HISTORY_TABLE);
    }

    /**
     * Three instances starting together on one warehouse: on a new one (Flyway's lock), on one
     * whose history is in public (the move), and on one whose reader's grants differ (the grants):
     * every one serves, and each change is made once.
     */
    @Test
    void instancesStartingAtOnceMakeEachChangeOnce() throws Exception {
        Config fresh = TestWarehouse.newDatabase();
        startAtOnce(fresh, 3);
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(fresh, "dwh"));
        // One of them applied the migrations, and says so; the others found nothing to apply.
        List<String> versions = MigrationHistoryTest.VERSIONS;
        assertEquals(List.of("INFO applied " + versions.size() + " migration(s) to the warehouse, now at version "
            + versions.get(versions.size() - 1)), lines(Migrations.class));
        // Those that found Flyway's lock taken say by whom: another instance, of the same login.
        assertEquals(List.of(), lines(FlywayLock.class).stream().filter(line -> !line.matches("INFO the warehouse "
            + "has migrations to apply, and Flyway's lock \\(advisory key " + FLYWAY_KEY + "\\) is held by pid \\d+ "
            + "\\(login postgres, application 'state-doses'\\): waiting up to 60 s for it")).toList());
        assertEquals(1, lines(ReaderRole.class).size(), lines(ReaderRole.class).toString());
        assertTrue(lines(ReaderRole.class).get(0).startsWith("INFO granted dwh_reader what it may read in this "
            + "database (it had: no select on table dwh.refresh_checks, "), lines(ReaderRole.class).toString());

        Config moved = TestWarehouse.newDatabase();
        migrateTheOldWay(moved, null);
        log.list.clear();
        startAtOnce(moved, 3);
        assertEquals(MigrationHistoryTest.VERSIONS, MigrationHistoryTest.versions(moved, "dwh"));
        assertNull(text(moved, "select to_regclass('public.flyway_schema_history')::text"));
        assertEquals(List.of("WARN moved the migration history from schema public to dwh.flyway_schema_history, "
            + "where it now stays"), lines(Migrations.class));
        assertEquals(1, lines(ReaderRole.class).size(), lines(ReaderRole.class).toString());

        Config granted = TestWarehouse.newDatabase();
        try (RunningApp first = RunningApp.start(granted)) {
            first.given().get("/health/live").then().statusCode(200);
        }
        asOwner(granted, "grant select on raw.county_population, dwh.jurisdictions to " + ReaderRole.NAME);
        log.list.clear();
        startAtOnce(granted, 3);
        assertEquals(List.of("INFO granted dwh_reader what it may read in this database (it had: select on table "
            + "dwh.jurisdictions, select on table raw.county_population)"), lines(ReaderRole.class));
        assertEquals(List.of(), lines(Migrations.class));
    }

    /** Starts {@code instances} services on {@code config} together, checks that each serves, and stops them. */
    private static void startAtOnce(Config config, int instances) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(instances);
        List<Future<RunningApp>> starts = new ArrayList<>();
        try {
            CyclicBarrier together = new CyclicBarrier(instances);
            for (int i = 0; i < instances; i++) {
                starts.add(threads.submit(() -> {
                    together.await();
                    return RunningApp.start(config);
                }));
            }
            for (Future<RunningApp> start : starts) {
                try (RunningApp app = start.get(60, TimeUnit.SECONDS)) {
                    app.given().get("/refreshes").then().statusCode(200);
                }
            }
        } finally {
            for (Future<RunningApp> start : starts) {
                if (start.isDone() && !start.isCancelled()) {
                    try {
                        start.get().close(); // closing twice is harmless; one that failed above is closed here
                    } catch (Exception ignored) {
                        // it failed to start: its failure was reported above
                    }
                }
            }
            threads.shutdown();
        }
    }

    /** A new warehouse with the fixture product of one refresh, by a service that has stopped since. */
    private static Config refreshedWarehouse() {
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        try (RunningApp first = RunningApp.start(config)) {
            first.given().post("/refresh").then().statusCode(200);
        }
        return config;
    }

    /** What starts before the history was pinned did: Flyway's defaults, history in public; up to {@code target}. */
    private static void migrateTheOldWay(Config config, String target) {
        var flyway = Flyway.configure()
            .dataSource(TestWarehouse.jdbcUrl(config), config.dbUser(), config.dbPassword())
            .locations("classpath:db/migration");
        if (target != null) {
            flyway.target(target);
        }
        flyway.load().migrate();
    }

    /** A session of the read-only login (the test server trusts local logins), named as an analyst's tool. */
    private static Connection reader(Config config) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", ReaderRole.NAME);
        login.setProperty("password", "");
        login.setProperty("ApplicationName", TOOL);
        return DriverManager.getConnection(TestWarehouse.jdbcUrl(config), login);
    }

    private static void hold(Connection reader, long key) throws SQLException {
        assertEquals("t", text(reader, "select pg_try_advisory_lock(" + key + ")"), "the reader takes key " + key);
    }

    /** The reader holds ROW SHARE and ROW EXCLUSIVE on dwh.refresh_lock, by preparing, in an open transaction. */
    private static void holdPrepared(Connection reader) throws SQLException {
        reader.setAutoCommit(false);
        try (Statement s = reader.createStatement()) {
            s.execute("prepare held_row as select only_row from dwh.refresh_lock for update");
            s.execute("prepare held_write as delete from dwh.refresh_lock");
        }
        assertEquals("RowExclusiveLock,RowShareLock", text(reader, "select string_agg(mode, ',' order by mode) "
            + "from pg_locks where pid = pg_backend_pid() and relation = 'dwh.refresh_lock'::regclass"));
    }

    private static long pid(Connection session) throws SQLException {
        return Long.parseLong(text(session, "select pg_backend_pid()"));
    }

    /** The sessions that hold advisory {@code key} in the database of {@code config}. */
    private static List<Long> holders(Config config, long key) {
        return TestWarehouse.jdbi(config).withHandle(h -> h.createQuery("""
                select pid from pg_locks
                where locktype = 'advisory' and granted and objsubid = 1
                  and database = (select oid from pg_database where datname = current_database())
                  and classid::bigint = (:key >> 32) and objid::bigint = (:key & 4294967295)""")
            .bind("key", key).mapTo(Long.class).list());
    }

    private static void asOwner(Config config, String sql) {
        TestWarehouse.jdbi(config).useHandle(h -> h.execute(sql));
    }

    private static String text(Config config, String sql) {
        return TestWarehouse.jdbi(config).withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    private static String text(Connection session, String sql) throws SQLException {
        try (Statement s = session.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static String failure(Connection session, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> text(session, sql), sql);
        return e.getSQLState();
    }

    /** What {@code source} logged since the last {@code log.list.clear()}. */
    private List<String> lines(Class<?> source) {
        return log.list.stream().filter(e -> e.getLoggerName().equals(source.getName()))
            .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
}
