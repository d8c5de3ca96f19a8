package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse that answers but cannot hold the product: its database in another encoding than
 * UTF-8, or taking no writes where the schema is still to be made; or an embedded warehouse's
 * data made by another major version of PostgreSQL. Each is refused at start in one
 * line that says why, exit 1, before anything is written. A LATIN1 database let the service start
 * and failed every refresh (500) on a statement's text, then could not record why, so the run
 * stayed 'running'; SQL_ASCII loaded, with the checks that read names letter by letter reading
 * bytes; a read-only one ended the start in a 600-line stack trace.
 */
class UnusableWarehouseTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String UTF8_NEEDED = ", and state-doses needs UTF8 (the sources are UTF-8 text). Create a "
        + "database for it with: create database <name> encoding 'UTF8' template template0 (and locale 'C.UTF-8' "
        + "where the server's own locale is not a UTF-8 one)";

    /** A new database, made by {@code create database <name> <options>}: its environment for the service. */
    private static Map<String, String> database(String options) {
        Config server = TestWarehouse.newDatabase();
        String name = "unusable_" + DATABASES.incrementAndGet();
        TestWarehouse.asSuperuser("create database " + name + " " + options);
        return Map.of("DB_HOST", server.dbHost(), "DB_PORT", Integer.toString(server.dbPort()),
            "POSTGRES_USER", "postgres", "POSTGRES_DB", name, "PORT", "0");
    }

    private static String where(Map<String, String> env) {
        return env.get("DB_HOST") + ":" + env.get("DB_PORT") + "/" + env.get("POSTGRES_DB");
    }

    /** Whether the service's schemas, or Flyway's history, were made in the database of {@code env}. */
    private static long schemasMade(Map<String, String> env) {
        return TestWarehouse.count(env, "select count(*) from pg_namespace where nspname in ('dwh', 'raw')");
    }

    @Test
    void serveOnALatin1DatabaseIsRefusedBeforeAnythingIsWritten() throws Exception {
        Map<String, String> env = database("encoding 'LATIN1' lc_collate 'C' lc_ctype 'C' template template0");
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.log());
            assertEquals("error: cannot use the warehouse " + where(env) + ": its database is encoded LATIN1"
                + UTF8_NEEDED + "\n", service.log());
        }
        assertEquals(0, schemasMade(env));
    }

    @Test
    void refreshOnAnSqlAsciiDatabaseSaysWhyNotThatTheProductIsUnchanged() throws Exception {
        Map<String, String> env = database("encoding 'SQL_ASCII' lc_collate 'C' lc_ctype 'C' template template0");
        String expected = "cannot use the warehouse " + where(env) + ": its database is encoded SQL_ASCII"
            + UTF8_NEEDED;
        Run run = CommandLine.run(env, "refresh");
        assertEquals(1, run.code());
        assertEquals("", run.out());
        assertEquals("error: " + expected + "\n", run.err());
        Run json = CommandLine.run(env, "refresh", "--json");
        assertEquals(1, json.code());
        Map<?, ?> problem = Wiring.objectMapper().readValue(json.out(), Map.class);
        assertEquals(Map.of("type", "/problems/warehouse-unavailable", "title", "Warehouse unavailable",
            "status", 503, "detail", expected), problem);
        assertEquals(0, schemasMade(env));
    }

    /**
     * A DWH_DIR that another major version of PostgreSQL made: the server from the jar stopped at
     * once, and the start said "connect failed".
     */
    @Test
    void anEmbeddedWarehouseMadeByAnotherMajorVersionIsRefusedSayingWhatToDo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("postgresql.conf"), "# made by another server\n");
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        Map<String, String> env = Map.of("DWH_DIR", dir.toString(), "PORT", "0");
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.log());
            assertEquals("error: cannot use the warehouse embedded in " + dir + ": its data was made by PostgreSQL "
                + "15, and the embedded server is PostgreSQL 16, which cannot read it. Set DWH_DIR to another "
                + "directory to start afresh (the first refresh loads the sources again), or move the data over "
                + "with pg_dump and pg_restore\n", service.log());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("PG_VERSION", "postgresql.conf"),
                files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void serveOnANewDatabaseThatTakesNoWritesSaysSoInOneLine() throws Exception {
        Map<String, String> env = database("");
        TestWarehouse.asSuperuser("alter database " + env.get("POSTGRES_DB")
            + " set default_transaction_read_only = on");
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.log());
            String log = service.log();
            assertEquals(1, log.lines().count(), log);
            assertTrue(log.startsWith("error: cannot prepare the warehouse " + where(env) + ": ERROR: cannot execute "),
                log);
            assertTrue(log.endsWith(" in a read-only transaction: the warehouse takes no writes (a standby, or "
                + "default_transaction_read_only) (SQLSTATE 25006)\n"), log);
        }
        assertEquals(0, schemasMade(env));
    }
}
