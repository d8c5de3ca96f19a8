package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The service starts again, and again, on a warehouse it migrated itself: whatever the login
 * role is called, and on warehouses migrated before the history table's schema was pinned.
 */
class MigrationHistoryTest {

    /**
     * The versions of the migrations on the classpath, in order: SQL ones from
     * src/main/resources/db/migration, Java ones (a data fix SQL cannot make) from
     * src/main/java/db/migration.
     */
    static final List<String> VERSIONS = versionsOnTheClasspath();

    private static List<String> versionsOnTheClasspath() {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(
                java.nio.file.Path.of(Migrations.class.getResource("/db/migration").toURI()))) {
            return files.map(f -> f.getFileName().toString())
                .filter(name -> name.matches("V\\d+__[^$]*\\.(sql|class)"))
                .map(name -> name.substring(1, name.indexOf("__")))
                .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                .toList();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the migrations", e);
        }
    }

    /**
     * The build's migrations are the source tree's, no more: a file renamed or removed since an
     * earlier build must not linger in target/classes, where Flyway (and the jar, and the image)
     * would take it (service/pom.xml empties the folder before each build).
     */
    @Test
    void theClasspathHoldsExactlyTheSourceTreesMigrations() throws Exception {
        java.nio.file.Path built = java.nio.file.Path.of(Migrations.class.getResource("/db/migration").toURI());
        java.nio.file.Path source = java.nio.file.Path.of("src/main/resources/db/migration");
        java.nio.file.Path javaSource = java.nio.file.Path.of("src/main/java/db/migration");
        List<String> expected = java.util.stream.Stream.concat(names(source).stream(),
                names(javaSource).stream().map(name -> name.replaceFirst("\\.java$", ".class")))
            .sorted().toList();
        assertEquals(expected, names(built));
    }

    private static List<String> names(java.nio.file.Path folder) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A role named like one of our schemas: PostgreSQL's default search_path ("$user", public)
     * makes the schema of its name the current one as soon as the first start has created it.
     */
    @Test
    void aRoleNamedLikeOurSchemasStartsAgainAndKeepsItsProduct() {
        for (String role : List.of("dwh", "raw")) {
            Config config = TestWarehouse.newDatabase(role);
            try (FixtureServer upstream = FixtureServer.start()) {
                Config sources = upstream.serveFixtureSources(config);
                String product;
                try (RunningApp first = RunningApp.start(sources)) {
                    first.given().post("/refresh").then().statusCode(200);
                    product = first.given().get("/ratios").asString();
                }
                for (int start = 2; start <= 3; start++) {
                    try (RunningApp again = RunningApp.start(sources)) {
                        assertEquals(product, again.given().get("/ratios").asString(), role + ", start " + start);
                    }
                }
                assertHistoryIn("dwh", config);
            }
        }
    }

    /** History in public, as every start before the pin left it (here as the role postgres). */
    @Test
    void aWarehouseMigratedWithItsHistoryInPublicIsMovedAndKeepsItsProduct() {
        Config config = TestWarehouse.newDatabase();
        migrateTheOldWay(config);
        assertHistoryIn("public", config);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config sources = upstream.serveFixtureSources(config);
            try (RunningApp first = RunningApp.start(sources)) {
                first.given().post("/refresh").then().statusCode(200);
            }
            assertHistoryIn("dwh", config);
            try (RunningApp again = RunningApp.start(sources)) {
                again.given().get("/ratios/NY").then().statusCode(200);
            }
        }
    }

    /** The reported case: role dwh, first start before the pin (history in public), then restarts. */
    @Test
    void aRoleNamedDwhWhoseFirstStartPutTheHistoryInPublicStartsAgain() {
        Config config = TestWarehouse.newDatabase("dwh");
        migrateTheOldWay(config);
        assertHistoryIn("public", config);
        try (RunningApp again = RunningApp.start(config)) {
            again.given().get("/refreshes").then().statusCode(200);
        }
        try (RunningApp again = RunningApp.start(config)) {
            again.given().get("/refreshes").then().statusCode(200);
        }
        assertHistoryIn("dwh", config);
    }

    /**
     * A warehouse as an earlier release left it migrates on: every migration written since has a
     * version above the highest that release applied (Flyway refuses to apply one below it, and
     * the service would not start). The release of 2026-11-29 applied V1 to V5 and V8.
     */
    @Test
    void aWarehouseOfAnEarlierReleaseMigratesOn() throws Exception {
        Config config = TestWarehouse.newDatabase();
        java.nio.file.Path released = java.nio.file.Files.createTempDirectory("released-migrations");
        try {
            for (String script : List.of("V1__warehouse.sql", "V2__weekly.sql", "V3__run_checks.sql",
                    "V4__weekly_without_row_triggers.sql", "V5__source_attempts.sql", "V8__unchanged_runs.sql")) {
                try (java.io.InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + script)) {
                    java.nio.file.Files.copy(in, released.resolve(script));
                }
            }
            Flyway.configure()
                .dataSource(TestWarehouse.jdbcUrl(config), config.dbUser(), config.dbPassword())
                .locations("filesystem:" + released)
                .schemas(Migrations.HISTORY_SCHEMA)
                .defaultSchema(Migrations.HISTORY_SCHEMA)
                .table(Migrations.HISTORY_TABLE)
                .load()
                .migrate();
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(released)) {
                for (java.nio.file.Path file : files.toList()) {
                    java.nio.file.Files.delete(file);
                }
            }
            java.nio.file.Files.delete(released);
        }
        assertEquals(List.of("1", "2", "3", "4", "5", "8"), versions(config, "dwh"));
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            app.given().post("/refresh").then().statusCode(200);
            app.given().get("/ratios/NY").then().statusCode(200);
        }
        assertEquals(VERSIONS, versions(config, "dwh"));
    }

    /** Another application's Flyway history in public is not ours, and stays where it is. */
    @Test
    void anotherApplicationsHistoryInPublicIsLeftAlone() {
        Config config = TestWarehouse.newDatabase();
        TestWarehouse.jdbi(config).useHandle(h -> h.execute("""
            create table public.flyway_schema_history (installed_rank int primary key, version text,
                description text, type text, script text, checksum int, installed_by text,
                installed_on timestamp default now(), execution_time int, success boolean);
            insert into public.flyway_schema_history values
                (1, '1', 'orders', 'SQL', 'V1__orders.sql', 42, 'shop', now(), 1, true)"""));
        try (RunningApp app = RunningApp.start(config)) {
            app.given().get("/refreshes").then().statusCode(200);
        }
        assertEquals(List.of("V1__orders.sql"), TestWarehouse.jdbi(config).withHandle(h -> h.createQuery(
            "select script from public.flyway_schema_history").mapTo(String.class).list()));
        assertEquals(VERSIONS, versions(config, "dwh"));
    }

    /**
     * An applied migration edited since, or one recorded as failed: the start refuses, with
     * Flyway's validation message, as it always has, and at once even while a session of the
     * read-only login holds Flyway's advisory key (77431708279161 plus the hash of the history's
     * quoted name): a start validates before it would take any lock.
     */
    @Test
    void aStartRefusesAnEditedOrAFailedMigrationWithFlywaysMessage() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (RunningApp first = RunningApp.start(config)) {
            first.given().get("/health/live").then().statusCode(200);
        }
        org.jdbi.v3.core.Jdbi owner = TestWarehouse.jdbi(config);
        int checksum = owner.withHandle(h -> h.createQuery(
            "select checksum from dwh.flyway_schema_history where version = '2'").mapTo(Integer.class).one());
        try (java.sql.Connection reader = java.sql.DriverManager.getConnection(TestWarehouse.jdbcUrl(config),
                ReaderRole.NAME, "");
             java.sql.Statement s = reader.createStatement();
             java.sql.ResultSet held = s.executeQuery("select pg_try_advisory_lock(77432860933413)")) {
            held.next();
            assertEquals(true, held.getBoolean(1));

            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set checksum = checksum + 1 "
                + "where version = '2'"));
            assertEquals("Validate failed: Migrations have failed validation\n"
                + "Migration checksum mismatch for migration version 2\n"
                + "-> Applied to database : " + (checksum + 1) + "\n"
                + "-> Resolved locally    : " + checksum + "\n"
                + "Either revert the changes to the migration, or run repair to update the schema history.",
                refusal(config));

            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set checksum = checksum - 1 "
                + "where version = '2'"));
            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set success = false where version = '18'"));
            assertEquals("Validate failed: Migrations have failed validation\n"
                + "Detected failed migration to version 18 (county codes).\n"
                + "Please remove any half-completed changes then run repair to fix the schema history.",
                refusal(config));
        }
    }

    /**
     * Why the service refuses to start on {@code config}, within 20 s: Flyway's message without its
     * closing link, under the start's one line that names the warehouse.
     */
    private static String refusal(Config config) {
        WarehouseNotReadyException refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20), () -> org.junit.jupiter.api.Assertions.assertThrows(
                WarehouseNotReadyException.class, () -> RunningApp.start(config).close()));
        assertTrue(refused.getMessage().startsWith("cannot prepare the warehouse " + config.warehouseName()
            + ": Validate failed: Migrations have failed validation"), refused.getMessage());
        assertInstanceOf(org.flywaydb.core.api.exception.FlywayValidateException.class, refused.getCause());
        return refused.getCause().getMessage()
            .replaceFirst("\nNeed more flexibility with validation rules\\? Learn more: \\S+$", "");
    }

    /** What Warehouse.connect did before the pin: Flyway's defaults, history in the current schema. */
    private static void migrateTheOldWay(Config config) {
        Flyway.configure()
            .dataSource(TestWarehouse.jdbcUrl(config), config.dbUser(), config.dbPassword())
            .locations("classpath:db/migration")
            .load()
            .migrate();
    }

    private static void assertHistoryIn(String schema, Config config) {
        assertEquals(VERSIONS, versions(config, schema), "the history's migrations in " + schema);
        String other = schema.equals("dwh") ? "public" : "dwh";
        assertNull(TestWarehouse.jdbi(config).withHandle(h -> h.createQuery("select to_regclass(:t)::text")
            .bind("t", other + ".flyway_schema_history").mapTo(String.class).one()), "a history in " + other);
    }

    static List<String> versions(Config config, String schema) {
        return TestWarehouse.jdbi(config).withHandle(h -> h.createQuery("select version from " + schema
                + ".flyway_schema_history where version is not null and success order by installed_rank")
            .mapTo(String.class).list());
    }
}
