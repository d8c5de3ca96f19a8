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
import java.util.Locale;
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

    /**
     * pg_ctl starts the embedded PostgreSQL through a shell, its data directory in double quotes:
     * a directory whose path holds a $, ` or " (or a \ before one) cannot hold it. Refused at
     * start, wherever in the path the character stands (a checkout's own name counts), naming it;
     * other characters a shell would care about, and any path with an external warehouse, pass.
     */
    @Test
    void anEmbeddedWarehouseDirectoryPgCtlCannotStartIsRefusedNamingTheCharacter() {
        java.util.Random random = new java.util.Random(20261202);
        for (int i = 0; i < 200; i++) {
            char bad = "$`\"\\".charAt(random.nextInt(4));
            // ASCII only: under LANG=C the test's own JVM could not name a path beyond it.
            String dir = "/srv/" + "ab c'&-".substring(random.nextInt(7)) + bad + "x".repeat(random.nextInt(3))
                + (random.nextBoolean() ? "" : "/.dwh");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("DWH_DIR", dir)), dir);
            assertEquals("DWH_DIR is " + Path.of(dir) + " (the embedded warehouse's data directory), whose path "
                + "holds '" + bad + "': PostgreSQL's pg_ctl starts the server through a shell, which would read it "
                + "as its own. Set DWH_DIR to a directory whose path has no $, `, \" or \\", e.getMessage());
            assertEquals(Path.of(dir), Config.fromEnvironment(Map.of("DWH_DIR", dir, "DB_HOST", "dwh")).dwhDir());
        }
        for (String fine : List.of("/srv/a b/.dwh", "/srv/it's/.dwh", "/srv/-x/.dwh", "/srv/a;b&c|d")) {
            assertEquals(Path.of(fine), Config.fromEnvironment(Map.of("DWH_DIR", fine)).dwhDir());
        }
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
    void twoSourcesOnOneUrlAreAnErrorNamingBoth() {
        assertEquals("MODERNA_URL and PFIZER_URL are the same URL: each source needs its own file",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(Map.of(
                "MODERNA_URL", "file:/data/m.csv", "PFIZER_URL", "file:/data/./m.csv"))).getMessage());
        assertEquals("PFIZER_URL and COUNTY_POPULATION_URL are the same URL: each source needs its own file",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(Map.of(
                "PFIZER_URL", Config.DEFAULT_COUNTY_POPULATION_URL))).getMessage());
    }

    /**
     * A configuration error never quotes a source URL: it may carry a password or a signature.
     * The parser's own message quotes the whole input; ours says what and where instead.
     */
    @Test
    void aMalformedOrRepeatedSourceUrlIsRefusedWithoutQuotingIt() {
        assertEquals("MODERNA_URL is not a URL: Illegal character in authority (index 22, counted from 0, holds a "
                + "space: write it as %20)",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(
                Map.of("MODERNA_URL", "https://analyst:S3cr3t pw@example.org/m.csv"))).getMessage());
        assertEquals("PFIZER_URL is not a URL: Illegal character in query (index 35, counted from 0, holds a "
                + "character that must be percent-encoded)",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(
                Map.of("PFIZER_URL", "https://example.org/p.csv?token=S3c|r3t"))).getMessage());
        assertEquals("MODERNA_URL and PFIZER_URL are the same URL: each source needs its own file",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(Map.of(
                "MODERNA_URL", "https://example.org/m.csv?token=S3cr3t",
                "PFIZER_URL", "https://example.org/m.csv?token=S3cr3t"))).getMessage());
        // Generated: a secret in each part of many broken URLs; never in the message, which names the variable.
        String[] broken = {"https://u:%s pw@example.org/m.csv", "https://u:%s\t@example.org/m.csv",
            "https://example.org/m.csv?token=%s x", "https://example.org/m.csv?sig=%s<", "https://u:%s@exa mple.org/m",
            "https://example.org/m.csv?X-Amz-Signature=%s%%zz", "https://u:%s|x@example.org/", "http://[%s/m.csv",
            "https://example.org/%s`/m.csv", "https://example.org/m.csv#%s{}", "https://u:%s\u0000@example.org/",
            "https://u:%s@example.org:99999/m.csv", "https://u:%s@example.org/m.csv", "%s://x", "https://ex%s^/m"};
        for (String shape : broken) {
            for (String variable : List.of("MODERNA_URL", "PFIZER_URL", "COUNTY_POPULATION_URL")) {
                String secret = "Hunter2Secret";
                String value = String.format(Locale.ROOT, shape, secret);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of(variable, value)), value);
                assertTrue(e.getMessage().startsWith(variable + " "), e.getMessage());
                assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("hunter2"),
                    value + " -> " + e.getMessage());
                // A warehouse nothing listens on: had the value been taken, the command would end there, with 1.
                CommandLine.Run run = CommandLine.run(Map.of(variable, value, "DB_HOST", "127.0.0.1", "DB_PORT", "1"),
                    "refresh");
                assertEquals(2, run.code(), run.err());
                assertFalse(run.err().toLowerCase(java.util.Locale.ROOT).contains("hunter2") || !run.out().isEmpty(),
                    run.err());
            }
        }
        Config signed = Config.fromEnvironment(Map.of("MODERNA_URL", "https://example.org/m.csv?X-Amz-Signature=abc1"));
        assertTrue(signed.toString().contains("modernaUrl=https://example.org/m.csv?X-Amz-Signature=***,"),
            signed.toString());
        assertFalse(signed.toString().contains("abc1"), signed.toString());
    }

    /**
     * A source URL is checked whole at start, so that a refresh cannot fail later on the URL
     * itself: a 500 naming no source, or credentials served on GET /refreshes/{id}.
     */
    @Test
    void aSourceUrlThatNoRefreshCouldUseIsRefusedAtStartByName() {
        Map<String, String> wrong = new java.util.LinkedHashMap<>();
        wrong.put("http://127.0.0.1:99999/m.csv", "MODERNA_URL has port 99999: a port must be between 1 and 65535");
        wrong.put("http://127.0.0.1:0/m.csv", "MODERNA_URL has port 0: a port must be between 1 and 65535");
        wrong.put("https://user:hunter2@example.org/m.csv", "MODERNA_URL must not hold a user name or password "
            + "(user:password@): the service never sends them, and the URL is shown on GET /refreshes");
        wrong.put("http:///m.csv", "MODERNA_URL must name a host, such as https://example.org/file.csv (a host name "
            + "of letters, digits, hyphens and dots)");
        wrong.put("https://under_score.example/m.csv", "MODERNA_URL must name a host, such as "
            + "https://example.org/file.csv (a host name of letters, digits, hyphens and dots)");
        wrong.put("ftp://example.org/m.csv", "MODERNA_URL must be an http://, https:// or file: URL, not another "
            + "scheme");
        wrong.put("/data/m.csv", "MODERNA_URL must be an http://, https:// or file: URL, not a bare path "
            + "(file:/data/m.csv reads a file)");
        wrong.put("file://fileserver/data/m.csv", "MODERNA_URL must be a file: URL with a path only, such as "
            + "file:/data/m.csv or file:data/m.csv (no host, query or fragment)");
        wrong.put("file:/data/m.csv?v=2", "MODERNA_URL must be a file: URL with a path only, such as "
            + "file:/data/m.csv or file:data/m.csv (no host, query or fragment)");
        wrong.forEach((url, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("MODERNA_URL", url)), url);
            assertEquals(message, e.getMessage(), url);
        });
        assertEquals("COUNTY_POPULATION_URL has port 70000: a port must be between 1 and 65535",
            assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(
                Map.of("COUNTY_POPULATION_URL", "https://example.org:70000/c.csv"))).getMessage());
        // What works stays working: a scheme in capitals, a port, both forms of file: URL.
        for (String url : List.of("HTTPS://example.org:8443/m.csv", "http://[::1]:8080/m.csv", "file:/data/m.csv",
                "file:data/m.csv", "file:///data/m.csv")) {
            assertEquals(URI.create(url), Config.fromEnvironment(Map.of("MODERNA_URL", url)).modernaUrl(), url);
        }
    }

    /**
     * As every other bad setting: one line naming the variable, exit 2, nothing started. (The
     * warehouse is one nothing listens on: had the setting been taken, the command would end
     * there, with exit 1, rather than start an embedded warehouse or fetch the lake.)
     */
    /**
     * A DB_HOST no connection could be made to: a directory, as libpq names a Unix socket's, ended
     * the start in "No suitable driver; the connection to it was lost"; a host with a space, '@',
     * '?', '#' or '/' in it likewise. Names, IPv4 and IPv6 addresses are taken as before.
     */
    @Test
    void aDbHostThatIsNoHostIsRefusedByName() {
        for (String socket : List.of("/var/run/postgresql", "/tmp", "/")) {
            assertEquals("DB_HOST is a directory, as libpq names a Unix socket's: the service connects over TCP "
                + "only; set DB_HOST to the server's name or address (127.0.0.1 for this machine's)",
                assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("DB_HOST", socket))).getMessage(), socket);
        }
        Map<String, String> held = Map.of("db host", "a space or control character (U+0020)",
            "postgres@db", "'@'", "db?sslmode=require", "'?'", "db#1", "'#'", "db/dwh", "'/'",
            "db\tx", "a space or control character (U+0009)");
        held.forEach((host, what) -> assertEquals("DB_HOST must be a name or an address (letters, digits, dots, "
            + "hyphens, underscores, or an IPv6 address): it holds " + what,
            assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("DB_HOST", host))).getMessage(), host));
        for (String host : List.of("db", "db.example.org", "10.0.0.5", "::1", "fe80::1", "my_db-1", "  db  ")) {
            assertEquals(host.strip(), Config.fromEnvironment(Map.of("DB_HOST", host)).dbHost(), host);
        }
        CommandLine.Run run = CommandLine.run(Map.of("DB_HOST", "/var/run/postgresql"), "refresh");
        assertEquals(2, run.code(), run.err());
        assertEquals("configuration error: DB_HOST is a directory, as libpq names a Unix socket's: the service "
            + "connects over TCP only; set DB_HOST to the server's name or address (127.0.0.1 for this machine's)",
            run.err().strip());
    }

    @Test
    void aBadSourceUrlStopsTheCommandWithExitCode2() {
        Map<String, String> unreachable = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", "1");
        Map<String, String> badPort = new java.util.HashMap<>(unreachable);
        badPort.put("PFIZER_URL", "http://127.0.0.1:99999/p.csv");
        CommandLine.Run run = CommandLine.run(badPort, "refresh");
        assertEquals(2, run.code(), run.err());
        assertEquals("configuration error: PFIZER_URL has port 99999: a port must be between 1 and 65535",
            run.err().strip());
        Map<String, String> credentials = new java.util.HashMap<>(unreachable);
        credentials.put("PFIZER_URL", "https://u:hunter2@example.org/p.csv");
        CommandLine.Run secret = CommandLine.run(credentials, "refresh");
        assertEquals(2, secret.code(), secret.err());
        assertFalse(secret.err().contains("hunter2"), secret.err());
    }

    @Test
    void sourceMaxBytesMustBePositive() {
        for (String bad : List.of("0", "-1")) {
            assertEquals("SOURCE_MAX_BYTES must be a whole number above 0, not " + bad,
                assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("SOURCE_MAX_BYTES", bad))).getMessage());
        }
        assertEquals(1L, Config.fromEnvironment(Map.of("SOURCE_MAX_BYTES", "1")).sourceMaxBytes());
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
    void runLogDaysIsAWholeNumberOfDaysOrUnsetForEveryRun() {
        assertNull(Config.fromEnvironment(Map.of()).runLogDays(), "unset: every run is kept");
        assertNull(Config.fromEnvironment(Map.of("RUN_LOG_DAYS", " ")).runLogDays());
        assertEquals(1, Config.fromEnvironment(Map.of("RUN_LOG_DAYS", "1")).runLogDays());
        assertEquals(90, Config.fromEnvironment(Map.of("RUN_LOG_DAYS", " 90 ")).runLogDays());
        assertEquals(36_500, Config.fromEnvironment(Map.of("RUN_LOG_DAYS", "36500")).runLogDays());
        assertTrue(Config.fromEnvironment(Map.of("RUN_LOG_DAYS", "30")).toString().contains(", runLogDays=30]"));
        // 0 would delete every run that ended, and "90d" or "-1" read another way than meant.
        for (String bad : new String[] {"0", "00", "-1", "+5", "90d", "1.5", "36501", "99999999999", "٣"}) {
            assertEquals("RUN_LOG_DAYS must be a whole number of days from 1 to 36500 (unset: the run log keeps "
                + "every run), not '" + bad + "'", assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("RUN_LOG_DAYS", bad))).getMessage());
        }
    }

    @Test
    void refreshIntervalTakesSecondsMinutesHoursDaysOrIso() {
        assertNull(Config.fromEnvironment(Map.of()).refreshInterval(), "unset: no schedule");
        assertNull(Config.fromEnvironment(Map.of("REFRESH_INTERVAL", " ")).refreshInterval());
        assertEquals(Duration.ofSeconds(45), Config.fromEnvironment(Map.of("REFRESH_INTERVAL", "45s")).refreshInterval());
        assertEquals(Duration.ofMinutes(30), Config.fromEnvironment(Map.of("REFRESH_INTERVAL", "30m")).refreshInterval());
        assertEquals(Duration.ofHours(6), Config.fromEnvironment(Map.of("REFRESH_INTERVAL", "6h")).refreshInterval());
        assertEquals(Duration.ofDays(1), Config.fromEnvironment(Map.of("REFRESH_INTERVAL", "1d")).refreshInterval());
        assertEquals(Duration.ofMinutes(90), Config.fromEnvironment(Map.of("REFRESH_INTERVAL", "PT1H30M")).refreshInterval());
        for (String bad : new String[] {"6", "0s", "soon", "-5m", "400d", "1w", "PT1M-30S", "-PT30S", "PT-1S"}) {
            assertEquals("REFRESH_INTERVAL must be a duration from 1s to 366d, such as 45s, 30m, 6h or 1d (unset: "
                + "no schedule), not '" + bad + "'", assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("REFRESH_INTERVAL", bad))).getMessage());
        }
    }

    @Test
    void dbParamsGoIntoTheJdbcUrlAndSecretsStayOutOfLogs() {
        Config config = Config.fromEnvironment(Map.of("DB_HOST", "db.example.net", "POSTGRES_PASSWORD", "pw1",
            "DB_PARAMS", "sslmode=verify-full&sslrootcert=/etc/ca.pem&sslpassword=keypw"));
        assertEquals("jdbc:postgresql://db.example.net:5432/dwh?sslmode=verify-full&sslrootcert=/etc/ca.pem"
            + "&sslpassword=keypw", config.jdbcUrl());
        assertEquals("db.example.net:5432/dwh with sslmode, sslrootcert, sslpassword", config.warehouseName());
        assertTrue(config.toString().contains("dbParams=sslmode=verify-full&sslrootcert=/etc/ca.pem&sslpassword=***"),
            config.toString());
        assertFalse(config.toString().contains("keypw") || config.toString().contains("pw1"), config.toString());
        // Not pairs: refused, without quoting the value (it could be a password).
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(
            Map.of("DB_HOST", "db", "DB_PARAMS", "sslmode=require&hunter2")));
        assertFalse(bad.getMessage().contains("hunter2"), bad.getMessage());
        assertTrue(bad.getMessage().startsWith("DB_PARAMS must be name=value pairs joined by &"), bad.getMessage());
        assertEquals("DB_PARAMS needs an external warehouse (DB_HOST or DATABASE_URL); the embedded one takes none",
            assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("DB_PARAMS", "sslmode=require"))).getMessage());
    }

    @Test
    void databaseUrlGivesTheWholeWarehouseAndWinsOverDbHost() {
        Config config = Config.fromEnvironment(Map.of("DB_HOST", "dwh", "POSTGRES_USER", "etl",
            "POSTGRES_PASSWORD", "etl-local-only", "DB_PARAMS", "connectTimeout=5",
            "DATABASE_URL", "postgres://app%40corp:p%40ss%3Aw0rd@pg.example.com:6543/state%20doses?sslmode=require"));
        assertEquals("pg.example.com", config.dbHost());
        assertEquals(6543, config.dbPort());
        assertEquals("state doses", config.dbName());
        assertEquals("app@corp", config.dbUser());
        assertEquals("p@ss:w0rd", config.dbPassword());
        assertEquals("jdbc:postgresql://pg.example.com:6543/state%20doses?sslmode=require&connectTimeout=5",
            config.jdbcUrl());
        assertFalse(config.toString().contains("w0rd"), config.toString());
        // The JDBC form, without credentials: they come from POSTGRES_USER and POSTGRES_PASSWORD.
        Config jdbc = Config.fromEnvironment(Map.of("POSTGRES_USER", "etl", "POSTGRES_PASSWORD", "pw",
            "DATABASE_URL", "jdbc:postgresql://10.0.0.5/warehouse"));
        assertEquals("10.0.0.5", jdbc.dbHost());
        assertEquals(5432, jdbc.dbPort());
        assertEquals("warehouse", jdbc.dbName());
        assertEquals("etl", jdbc.dbUser());
        assertEquals("pw", jdbc.dbPassword());
        for (String bad : new String[] {"mysql://u:secretpw@h/db", "postgres://u:secretpw@h1,h2/db", "not a url secretpw"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("DATABASE_URL", bad)));
            assertTrue(e.getMessage().startsWith("DATABASE_URL must look like postgresql://user:password@host:5432/"),
                e.getMessage());
            assertFalse(e.getMessage().contains("secretpw"), "never quoted: " + e.getMessage());
        }
    }

    /**
     * Every part of DATABASE_URL the driver would refuse or read otherwise than meant is a wrong
     * setting, said at start without quoting the URL. A port out of range was taken, and the
     * driver's "Failed to get driver instance" came out as a failed refresh (exit 1).
     */
    @Test
    void aDatabaseUrlTheDriverWouldRefuseOrMisreadIsAWrongSetting() {
        Map<String, String> wrong = new java.util.LinkedHashMap<>(); // the URL -> what the error says
        for (String port : List.of("0", "00000", "65536", "99999", "100000", "4294967296", "99999999999999999999",
                "-1", "+5432", "54 32", "5432a", "0x1538", "５４３２", "5432,5433")) {
            wrong.put("postgresql://postgres:secretpw@127.0.0.1:" + port + "/db",
                port.contains(",") ? "one host" : "its port must be a number from 1 to 65535");
        }
        wrong.put("postgresql://postgres:secretpw@[::1]:65536/db", "its port must be a number from 1 to 65535");
        for (String url : List.of("postgresql://", "postgresql:///db", "postgresql://secretpw@/db",
                "postgresql://u:secretpw@:5432/db", "jdbc:postgresql:///db")) {
            wrong.put(url, "it names no host");
        }
        for (String hosts : List.of("h1,h2", "h1:5432,h2:5433", "h1,", ",h2")) {
            wrong.put("postgres://u:secretpw@" + hosts + "/db", "one host");
        }
        for (String host : List.of("h%41st", "h st", "h\\st", "h;st", "[::1", "[not-v6]", "[::1]x")) {
            wrong.put("postgres://u:secretpw@" + host + "/db", "host");
        }
        for (String escape : List.of("%", "%4", "%G0", "%zz", "%C3", "%C0%AF", "%ED%A0%80", "%FF", "%E2%82")) {
            wrong.put("postgres://u:secret" + escape + "pw@h/db", "the password");
            wrong.put("postgres://secretpw" + escape + ":x@h/db", "the user");
            wrong.put("postgres://u:secretpw@h/d" + escape + "z", "the database name");
        }
        wrong.put("postgres://u:secret pw@h/db", "the password has a space or a control character");
        wrong.put("postgres://u:secret\tpw@h/db", "the password has a space or a control character");
        wrong.put("postgres://u:secret@pw@h/db", "an @ in the user or password must be written %40");
        wrong.put("postgres://u:secret#pw@h/db", "%23");
        wrong.put("postgres://u:secretpw@h/db#frag", "%23");
        wrong.put("postgres://u:secretpw@h/db/more", "one database name");
        for (String scheme : List.of("mysql", "http", "postgresq", "jdbc:mysql", "pg", "")) {
            wrong.put(scheme + "://u:secretpw@h/db", "its scheme must be postgresql:// or postgres://");
        }
        wrong.put("not a url secretpw", "its scheme must be postgresql:// or postgres://");
        wrong.put("postgresql:secretpw@h/db", "its scheme must be postgresql:// or postgres://");
        for (Map.Entry<String, String> url : wrong.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("DATABASE_URL", url.getKey())), url.getKey());
            assertTrue(e.getMessage().startsWith("DATABASE_URL must look like postgresql://user:password@host:5432/"
                + "database?sslmode=require (or postgres://, or jdbc:postgresql://): "), e.getMessage());
            assertTrue(e.getMessage().contains(url.getValue()), url.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("secret"), "never quoted: " + e.getMessage());
        }
        // What it takes stays taken: the ends of the port range, no port, IPv6, a plus, escapes of UTF-8.
        Config low = Config.fromEnvironment(Map.of("DATABASE_URL", "postgresql://u:p+w%C3%A9@db.example-1.com:1/d%2Fb"));
        assertEquals(1, low.dbPort());
        assertEquals("db.example-1.com", low.dbHost());
        assertEquals("p+wé", low.dbPassword());
        assertEquals("d/b", low.dbName());
        Config high = Config.fromEnvironment(Map.of("DATABASE_URL", "POSTGRES://u@[::1]:65535/"));
        assertEquals(65535, high.dbPort());
        assertEquals("::1", high.dbHost());
        assertEquals("dwh", high.dbName());
        assertEquals("u", high.dbUser());
        Config bare = Config.fromEnvironment(Map.of("DATABASE_URL", "postgres://h_1:/db?sslmode=require"));
        assertEquals(5432, bare.dbPort());
        assertEquals("postgres", bare.dbUser());
        assertEquals("jdbc:postgresql://h_1:5432/db?sslmode=require", bare.jdbcUrl());
    }

    /** setup.sh prints which URL each source uses, the service's default too: it must be the same. */
    @Test
    void setupShKnowsTheServicesDefaultSources() throws java.io.IOException {
        String setup = java.nio.file.Files.readString(Path.of("..", "setup.sh"))
            .replace("${LAKE}", "https://covid19-lake.s3.us-east-2.amazonaws.com");
        for (String url : new String[] {Config.DEFAULT_MODERNA_URL, Config.DEFAULT_PFIZER_URL,
                Config.DEFAULT_COUNTY_POPULATION_URL}) {
            assertTrue(setup.contains("\"" + url + "\""), "setup.sh's SOURCE_DEFAULTS lack " + url);
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

    /**
     * A value that can never take effect is refused at start, by name, not taken for something
     * else: separators alone in CORS_ORIGINS were taken for *, and an origin with its scheme's
     * default port (which browsers leave out) could never match.
     */
    @Test
    void corsOriginsOfSeparatorsAloneAreRefusedAndDefaultPortsAreLeftOut() {
        for (String separators : List.of(",", " , ", ",,", "\t,\n", ", ,  ,")) {
            assertEquals("CORS_ORIGINS names no origin, only separators: set * for any origin, or origins such as "
                    + "https://grafana.example.org (unset, it is *)",
                assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("CORS_ORIGINS", separators))).getMessage(), separators);
            CommandLine.Run run = CommandLine.run(Map.of("CORS_ORIGINS", separators, "DB_HOST", "127.0.0.1",
                "DB_PORT", "1"), "serve");
            assertEquals(2, run.code(), run.err());
            assertTrue(run.err().startsWith("configuration error: CORS_ORIGINS names no origin"), run.err());
        }
        assertEquals(List.of("https://a.example", "http://b.example", "https://c.example:80", "http://d.example:443",
                "http://e.example:8080"),
            Config.fromEnvironment(Map.of("CORS_ORIGINS", "https://a.example:443, http://b.example:80/, "
                + "https://c.example:80 http://d.example:443 http://e.example:08080 https://A.example")).corsOrigins());
        for (String port : List.of("0", "99999", "00000")) {
            assertEquals("CORS_ORIGINS has an origin with port " + Integer.parseInt(port) + " ('https://x.example:"
                    + port + "'): a port must be between 1 and 65535",
                assertThrows(IllegalArgumentException.class, () -> Config.fromEnvironment(
                    Map.of("CORS_ORIGINS", "https://x.example:" + port))).getMessage());
        }
    }

    /** A token with a control character inside could never arrive in an Authorization header. */
    @Test
    void aTokenNoHeaderCanCarryIsRefused() {
        assertEquals("REFRESH_TOKEN holds a control character (U+000A at index 3): no Authorization header can "
                + "carry it; use letters, digits and punctuation",
            assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("REFRESH_TOKEN", " abc\ndef "))).getMessage());
        assertEquals("abc def!", Config.fromEnvironment(Map.of("REFRESH_TOKEN", "abc def!")).refreshToken());
    }

    /**
     * A token beyond ASCII starts a service nobody can be sure to reach: curl sends "pässwörd" in
     * UTF-8, other clients in Latin-1, and the bytes differ. Every printable ASCII character is
     * kept; each printable character beyond it, wherever it stands, is refused without being named.
     */
    @Test
    void aTokenBeyondAsciiIsRefusedWithoutNamingTheCharacter() {
        StringBuilder ascii = new StringBuilder();
        for (char c = '!'; c <= '~'; c++) {
            ascii.append(c);
        }
        assertEquals(ascii.toString(), Config.fromEnvironment(Map.of("REFRESH_TOKEN", ascii.toString())).refreshToken());
        for (String beyond : List.of("\u00a1", "\u00a0", "\u00e4", "\u00ff", "\u0100", "\u20ac", "\ud83d\ude00",
                "\uff01")) {
            for (String token : List.of(beyond + "secret", "sec" + beyond + "ret", "secret" + beyond)) {
                String message = assertThrows(IllegalArgumentException.class,
                    () -> Config.fromEnvironment(Map.of("REFRESH_TOKEN", token))).getMessage();
                assertEquals("REFRESH_TOKEN holds a character beyond ASCII (at index " + token.indexOf(beyond)
                    + "): HTTP clients send such characters in different bytes, so the token could not be sent "
                    + "reliably; use ASCII letters, digits and punctuation", message);
            }
        }
    }

    /**
     * Passwords are kept exactly as given, spaces included: POSTGRES_PASSWORD was stripped, so a
     * password with a space at an end failed to log in with no word of why.
     */
    @Test
    void theWarehousePasswordIsKeptExactly() {
        assertEquals(" pw with spaces ", Config.fromEnvironment(Map.of("DB_HOST", "db",
            "POSTGRES_PASSWORD", " pw with spaces ")).dbPassword());
        assertEquals("", Config.fromEnvironment(Map.of("DB_HOST", "db", "POSTGRES_PASSWORD", "")).dbPassword());
        assertEquals("", Config.fromEnvironment(Map.of("DB_HOST", "db")).dbPassword());
        // The embedded warehouse logs in as postgres, without a password: one given for it never takes effect.
        assertEquals("POSTGRES_PASSWORD is set, but no external warehouse is (DB_HOST or DATABASE_URL): the embedded "
                + "one always logs in as postgres, without a password; set DB_HOST, or unset it",
            assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("POSTGRES_PASSWORD", "etl-local-only"))).getMessage());
        assertEquals("POSTGRES_USER is set, but no external warehouse is (DB_HOST or DATABASE_URL): the embedded "
                + "one always logs in as postgres, without a password; set DB_HOST, or unset it",
            assertThrows(IllegalArgumentException.class,
                () -> Config.fromEnvironment(Map.of("POSTGRES_USER", "etl"))).getMessage());
        assertEquals("postgres", Config.fromEnvironment(Map.of("POSTGRES_USER", "postgres", "POSTGRES_PASSWORD", ""))
            .dbUser());
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
