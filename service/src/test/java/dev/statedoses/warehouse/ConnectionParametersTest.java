package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.Wiring;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DB_PARAMS and DATABASE_URL reach the PostgreSQL driver, for the pool and for the listener
 * alike, and a password given in either never reaches the log.
 */
class ConnectionParametersTest {

    @Test
    void parametersReachEveryConnection() {
        Config config = ConfigBuilder.from(TestWarehouse.newDatabase())
            .dbParams("sslmode=disable&options=-c%20statement_timeout%3D12345").build();
        try (Wiring wiring = Wiring.start(config)) {
            assertEquals("12345ms", wiring.warehouse().jdbi().withHandle(h ->
                h.createQuery("show statement_timeout").mapTo(String.class).one()));
        }
    }

    /** The test server has no TLS: sslmode=require must fail to connect, which shows the driver got it. */
    @Test
    void sslmodeRequireIsTakenAtItsWord() {
        Config config = ConfigBuilder.from(TestWarehouse.newDatabase()).dbParams("sslmode=require").build();
        RuntimeException e = assertThrows(RuntimeException.class, () -> Wiring.start(config).close());
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            causes.append(t.getMessage()).append('\n');
        }
        assertTrue(causes.toString().contains("The server does not support SSL"), causes.toString());
    }

    /** A DATABASE_URL with a password, to a warehouse that is not there: the refresh says so, the password stays unsaid. */
    @Test
    void theUrlsPasswordIsNeverLogged() throws Exception {
        try (ServiceProcess refresh = ServiceProcess.start("refresh", Map.of(
                "DATABASE_URL", "postgresql://etl:Sup3rS3cretPw@127.0.0.1:1/dwh?sslmode=prefer&connectTimeout=2"))) {
            assertEquals(1, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
            assertTrue(refresh.log().startsWith("error: cannot connect to the warehouse 127.0.0.1:1/dwh with sslmode, "
                + "connectTimeout as etl: Connection to 127.0.0.1:1 refused."), refresh.log());
            assertFalse(refresh.log().contains("Sup3rS3cretPw"), refresh.log());
        }
    }
}
