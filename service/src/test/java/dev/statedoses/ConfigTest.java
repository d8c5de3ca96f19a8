package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void withoutDbHostTheServiceRunsItsOwnWarehouseOnAFixedPort() {
        Config config = Config.fromEnvironment(Map.of());
        assertTrue(config.embeddedWarehouse());
        assertNull(config.dbHost());
        assertEquals(54320, config.dbPort());
        assertEquals("dwh", config.dbName());
        assertEquals(Path.of(".dwh").toAbsolutePath(), config.dwhDir());
        assertEquals(8080, config.port());
        assertEquals(Duration.ofSeconds(60), config.sourceTimeout());
        assertEquals(200_000_000L, config.sourceMaxBytes());
        assertEquals(URI.create("https://covid19-lake.s3.us-east-2.amazonaws.com/static-datasets/csv/"
            + "CountyPopulation/County_Population.csv"), config.countyPopulationUrl());
    }

    @Test
    void databaseEnvNamesConfigureAnExternalWarehouse() {
        Config config = Config.fromEnvironment(Map.of("DB_HOST", "dwh", "POSTGRES_DB", "dwh",
            "POSTGRES_USER", "etl", "POSTGRES_PASSWORD", "secret", "MODERNA_URL", "file:/data/m.csv"));
        assertFalse(config.embeddedWarehouse());
        assertEquals(5432, config.dbPort());
        assertEquals("etl", config.dbUser());
        assertEquals(URI.create("file:/data/m.csv"), config.modernaUrl());
        assertFalse(config.toString().contains("secret"), "the password stays out of logs");
    }

    @Test
    void aBadValueNamesTheVariable() {
        assertEquals("PORT must be between 0 and 65535, not 70000",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(Map.of("PORT", "70000")))
                .getMessage());
        assertEquals("SOURCE_TIMEOUT must be a whole number, not '1m'",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(Map.of("SOURCE_TIMEOUT", "1m")))
                .getMessage());
    }

    @Test
    void anUnsetTokenLeavesRefreshOpenAndASetOneIsStripped() {
        assertNull(Config.fromEnvironment(Map.of()).refreshToken());
        assertEquals("s3cret", Config.fromEnvironment(Map.of("REFRESH_TOKEN", "s3cret")).refreshToken());
        // Whitespace around a token cannot travel in an Authorization header: the token is what is inside.
        assertEquals("s3cret", Config.fromEnvironment(Map.of("REFRESH_TOKEN", " s3cret\n")).refreshToken());
        assertFalse(Config.fromEnvironment(Map.of("REFRESH_TOKEN", "s3cret")).toString().contains("s3cret"),
            "the token stays out of logs");
    }

    @Test
    void aBlankTokenIsAnErrorNotAnOpenRefresh() {
        for (String blank : new String[] {"", "   ", "\t", "\n", " \t\r\n "}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("REFRESH_TOKEN", blank)), "'" + blank + "'");
            assertEquals("REFRESH_TOKEN is set but blank: set a token, or unset the variable to leave "
                + "POST /refresh open", error.getMessage());
        }
    }

    @Test
    void corsOriginsAreAnyByDefaultOrAListOfOrigins() {
        assertEquals(List.of("*"), Config.fromEnvironment(Map.of()).corsOrigins());
        assertEquals(List.of("*"), Config.fromEnvironment(Map.of("CORS_ORIGINS", " ")).corsOrigins());
        assertEquals(List.of("*"), Config.fromEnvironment(Map.of("CORS_ORIGINS", "https://a.example, *")).corsOrigins());
        // Commas or spaces; as browsers send them: lower case, no trailing slash; each once.
        assertEquals(List.of("https://grafana.example.org", "http://localhost:3000", "http://[::1]:8888"),
            Config.fromEnvironment(Map.of("CORS_ORIGINS",
                "https://Grafana.example.org/, http://localhost:3000 http://[::1]:8888,https://grafana.example.org"))
                .corsOrigins());
        for (String wrong : List.of("grafana.example.org", "https://grafana.example.org/d/abc", "ftp://x.example",
                "https://x.example:port")) {
            assertEquals("CORS_ORIGINS must be * or origins such as https://grafana.example.org (scheme, host and "
                    + "port; no path), not '" + wrong + "'",
                assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("CORS_ORIGINS", wrong))).getMessage());
        }
    }

    @Test
    void theReaderPasswordIsKeptAsGivenAndNeverShown() {
        assertNull(Config.fromEnvironment(Map.of()).readerPassword());
        assertNull(Config.fromEnvironment(Map.of("DWH_READER_PASSWORD", " ")).readerPassword());
        Config config = Config.fromEnvironment(Map.of("DWH_READER_PASSWORD", " r3ad "));
        assertEquals(" r3ad ", config.readerPassword());
        assertFalse(config.toString().contains("r3ad"), "the password stays out of logs");
    }
}
