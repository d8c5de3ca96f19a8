package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
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
}
