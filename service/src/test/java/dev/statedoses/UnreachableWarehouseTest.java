package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.ForeignServer;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A command that connects to an external warehouse that is missing or out of reach says so in one
 * line, naming the host, port and database and what to check, and exits 1: `serve` printed a
 * 26-line stack trace, and `refresh` said the last good product was unchanged when there was no
 * warehouse at all.
 */
class UnreachableWarehouseTest {

    private static final String CHECK = ". Check that PostgreSQL runs there and takes this login: DB_HOST, DB_PORT, "
        + "POSTGRES_DB, POSTGRES_USER and POSTGRES_PASSWORD (or DATABASE_URL)";

    @Test
    void serveOnADatabaseThatDoesNotExistIsOneLineAndExit1() throws Exception {
        Config server = TestWarehouse.newDatabase();
        Map<String, String> env = Map.of("DB_HOST", server.dbHost(), "DB_PORT", Integer.toString(server.dbPort()),
            "POSTGRES_USER", "postgres", "POSTGRES_DB", "no_such_database", "PORT", "0");
        try (ServiceProcess service = ServiceProcess.start("serve", env)) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.log());
            assertEquals("error: cannot connect to the warehouse " + server.dbHost() + ":" + server.dbPort()
                + "/no_such_database as postgres: FATAL: database \"no_such_database\" does not exist" + CHECK + "\n",
                service.log());
        }
    }

    @Test
    void refreshWithNothingListeningSaysSoNotThatTheProductIsUnchanged() throws Exception {
        Map<String, String> env = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", "1", "POSTGRES_DB", "dwh");
        String expected = "error: cannot connect to the warehouse 127.0.0.1:1/dwh as postgres: Connection to "
            + "127.0.0.1:1 refused. Check that the hostname and port are correct and that the postmaster is "
            + "accepting TCP/IP connections" + CHECK;
        Run run = CommandLine.run(env, "refresh");
        assertEquals(1, run.code());
        assertEquals("", run.out());
        assertEquals(expected + "\n", run.err());
        Run json = CommandLine.run(env, "refresh", "--json");
        assertEquals(1, json.code());
        assertEquals(expected + "\n", json.err());
        Map<?, ?> problem = Wiring.objectMapper().readValue(json.out(), Map.class);
        assertEquals(Map.of("type", "/problems/warehouse-unavailable", "title", "Warehouse unavailable",
            "status", 503, "detail", expected.substring("error: ".length())), problem);
    }

    /**
     * DB_PORT naming another server said only "An error occurred while setting up the SSL
     * connection", or, for one that never answers (Redis), the pool's timeout after a warning line
     * from the pool: now the one line says what answered there, in its own first bytes.
     */
    @Test
    void aPortWhereAnotherServerSpeaksFirstIsNamedByWhatItSaid() throws Exception {
        byte[] greeting = "J\0\0\0\n8.0.36-FakeSQL\0".getBytes(StandardCharsets.ISO_8859_1);
        try (ForeignServer server = ForeignServer.start(ForeignServer.greets(greeting))) {
            Run run = CommandLine.run(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(server.port()),
                "POSTGRES_DB", "dwh"), "refresh");
            assertEquals(1, run.code());
            assertEquals("", run.out());
            assertEquals("error: cannot connect to the warehouse 127.0.0.1:" + server.port() + "/dwh as postgres: "
                + "An error occurred while setting up the SSL connection; something other than PostgreSQL answers at "
                + "127.0.0.1:" + server.port() + ": to PostgreSQL's first message it said "
                + "\"J\\x00\\x00\\x00\\x0a8.0.36-FakeSQL\\x00\"" + CHECK + "\n", run.err());
        }
    }

    @Test
    void aPortWhereAServerSaysNothingIsOneLineWithinTheLoginTime() throws Exception {
        try (ForeignServer server = ForeignServer.start(ForeignServer.silent())) {
            Run run = CommandLine.run(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(server.port()),
                "POSTGRES_DB", "dwh"), "refresh");
            assertEquals(1, run.code());
            assertEquals("", run.out());
            assertEquals("error: cannot connect to the warehouse 127.0.0.1:" + server.port() + "/dwh as postgres: "
                + "Connection attempt timed out; the server at 127.0.0.1:" + server.port() + " took the connection "
                + "and said nothing within 1000 ms to PostgreSQL's first message, which PostgreSQL answers at once: "
                + "it is not PostgreSQL, or not only" + CHECK + "\n", run.err());
        }
    }

    /**
     * A warehouse that answers, and refuses every session for a reason of its own: here each
     * session's set-up needs a temporary file (a work_mem of 64 kB) that a temp_file_limit of 0
     * forbids, as every slot taken (53300) would refuse it too. The start says so in one line;
     * it told the operator to check where PostgreSQL runs and the login, which were right.
     */
    @Test
    void aWarehouseThatRefusesForAReasonOfItsOwnIsNamedSoAtStart() {
        Config config = TestWarehouse.newDatabase();
        TestWarehouse.asSuperuser("alter database " + config.dbName() + " set work_mem = '64kB'");
        TestWarehouse.asSuperuser("alter database " + config.dbName() + " set temp_file_limit = 0");
        Map<String, String> env = new HashMap<>(TestWarehouse.environment(config));
        env.put("PORT", "0");
        Run serve = CommandLine.run(env, "serve");
        assertEquals(1, serve.code(), serve.err());
        assertEquals(1, serve.err().lines().count(), serve.err());
        String start = "error: cannot connect to the warehouse " + config.dbHost() + ":" + config.dbPort() + "/"
            + config.dbName() + " as " + config.dbUser() + ": ";
        assertTrue(serve.err().startsWith(start), serve.err());
        assertTrue(serve.err().strip().endsWith(". The warehouse refused it for a "
            + "reason of its own: the warehouse lacks a resource (SQLSTATE 53400); start again once that has passed"),
            serve.err());
        assertTrue(serve.err().contains("temp_file_limit"), serve.err());
    }
}
