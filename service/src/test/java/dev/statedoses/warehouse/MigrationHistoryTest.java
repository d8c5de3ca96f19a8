package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * A history that differs from this build's migrations (each way Flyway's validation finds:
     * a checksum, a description, a type, a migration recorded as failed, one applied that this
     * build lacks), edited into a random version of a migrated warehouse: the start refuses, at
     * once even while a session of the read-only login holds Flyway's advisory key (77431708279161
     * plus the hash of the history's quoted name), naming the migration and what differs, without
     * Flyway's "run repair" (a command the service does not have). The statement the refusal gives
     * undoes the edit: run as given, the next start serves and refreshes. The versions
     * come from a seeded random (printed), so each run tries other ones.
     */
    @Test
    void aStartRefusesADifferentHistoryNamingTheMigrationAndTheStatementThatUndoesIt() throws Exception {
        Config config = TestWarehouse.newDatabase();
        try (RunningApp first = RunningApp.start(config)) {
            first.given().get("/health/live").then().statusCode(200);
        }
        org.jdbi.v3.core.Jdbi owner = TestWarehouse.jdbi(config);
        long seed = System.nanoTime();
        System.out.println("MigrationHistoryTest seed " + seed);
        java.util.Random random = new java.util.Random(seed);
        List<String> sqlVersions = VERSIONS.stream().filter(v -> !v.equals("17")).toList(); // V17 is Java: no checksum
        String version = sqlVersions.get(random.nextInt(sqlVersions.size()));
        String failed = VERSIONS.get(random.nextInt(VERSIONS.size()));
        String described = VERSIONS.get(random.nextInt(VERSIONS.size()));
        String where = "where version = '" + version + "'";
        int checksum = owner.withHandle(h -> h.createQuery(
            "select checksum from dwh.flyway_schema_history " + where).mapTo(Integer.class).one());
        String description = owner.withHandle(h -> h.createQuery(
            "select description from dwh.flyway_schema_history where version = :v").bind("v", described)
            .mapTo(String.class).one());
        try (java.sql.Connection reader = java.sql.DriverManager.getConnection(TestWarehouse.jdbcUrl(config),
                ReaderRole.NAME, "");
             java.sql.Statement s = reader.createStatement();
             java.sql.ResultSet held = s.executeQuery("select pg_try_advisory_lock(77432860933413)")) {
            held.next();
            assertEquals(true, held.getBoolean(1));

            int edited = checksum + 1 + random.nextInt(1000);
            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set checksum = " + edited + " " + where));
            String refusal = refusal(config);
            assertTrue(refusal.contains("V" + version + " (" + descriptionOf(owner, version) + ") was applied with "
                + "checksum " + edited + ", and this build's is " + checksum), refusal);
            undoAsTold(owner, refusal, "update dwh.flyway_schema_history set checksum = " + checksum + " " + where);

            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set success = false where version = '"
                + failed + "'"));
            refusal = refusal(config);
            assertTrue(refusal.contains("V" + failed + " (" + descriptionOf(owner, failed) + ") is recorded as failed"),
                refusal);
            undoAsTold(owner, refusal,
                "update dwh.flyway_schema_history set success = true where version = '" + failed + "'");

            owner.useHandle(h -> h.execute("update dwh.flyway_schema_history set description = 'renamed' "
                + "where version = '" + described + "'"));
            refusal = refusal(config);
            assertTrue(refusal.contains("V" + described + " was applied as \"renamed\", and this build's is \""
                + description + "\""), refusal);
            undoAsTold(owner, refusal, "update dwh.flyway_schema_history set description = '" + description
                + "' where version = '" + described + "'");

            // An applied migration this build lacks (V6, V7 and V9 were never released): another build's.
            owner.useHandle(h -> h.execute("""
                insert into dwh.flyway_schema_history (installed_rank, version, description, type, script, checksum,
                    installed_by, execution_time, success)
                select max(installed_rank) + 1, '6', 'elsewhere', 'SQL', 'V6__elsewhere.sql', 1, 'dev', 1, true
                from dwh.flyway_schema_history"""));
            refusal = refusal(config);
            assertTrue(refusal.contains("V6 (elsewhere) is applied, and this build has no such migration. A released "
                + "migration never changes"), refusal);
            assertTrue(refusal.contains("start that build, or this one on a new database"), refusal);
            owner.useHandle(h -> h.execute("delete from dwh.flyway_schema_history where version = '6'"));
        }
        // A refresh runs only on tables as the migrations made them (SchemaCheck): it succeeds.
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp again = RunningApp.start(upstream.serveFixtureSources(config))) {
            again.given().post("/refresh").then().statusCode(200);
        }
    }

    /** Runs the statement {@code refusal} gives to undo the edit, which must be {@code expected}, and nothing else. */
    private static void undoAsTold(org.jdbi.v3.core.Jdbi owner, String refusal, String expected) {
        java.util.regex.Matcher told = java.util.regex.Pattern.compile("undo that edit \\((.*)\\) and start again")
            .matcher(refusal);
        assertTrue(told.find(), refusal);
        assertEquals(expected, told.group(1));
        assertTrue(refusal.endsWith("state-doses has no repair command: Flyway's would make the history agree with "
            + "the files, not the tables"), refusal);
        assertTrue(!refusal.contains("run repair"), refusal);
        owner.useHandle(h -> h.execute(told.group(1)));
    }

    private static String descriptionOf(org.jdbi.v3.core.Jdbi owner, String version) {
        return owner.withHandle(h -> h.createQuery("select description from dwh.flyway_schema_history "
            + "where version = :v").bind("v", version).mapTo(String.class).one());
    }

    /**
     * Why the service refuses to start on {@code config}, within 20 s: the one line that names
     * the warehouse and its history, without that prefix.
     */
    private static String refusal(Config config) {
        WarehouseNotReadyException refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20), () -> org.junit.jupiter.api.Assertions.assertThrows(
                WarehouseNotReadyException.class, () -> RunningApp.start(config).close()));
        String prefix = "cannot use the warehouse " + config.warehouseName()
            + ": its migration history (dwh.flyway_schema_history) does not match this build's migrations: ";
        assertTrue(refused.getMessage().startsWith(prefix), refused.getMessage());
        return refused.getMessage().substring(prefix.length());
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
