package dev.statedoses.warehouse;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A warehouse whose database (or login role) sets its sessions apart from PostgreSQL's defaults:
 * another default isolation, time zone, date style, string syntax, search path, planner or memory,
 * or time limits.
 * An administrator may set any of them for the analysts' sessions; the service's sessions get them
 * too. The product must not change: the same rows, week by week, as on a database with the
 * defaults, and the fixture's numbers as worked out by hand (src/test/resources/fixtures/README.md).
 * With serializable or repeatable read as the database's default, every refresh failed (500): the
 * product's rows name a run that their transaction's snapshot, taken before the run's row was
 * committed, did not see.
 *
 * <p>The settings come singly, by theme, and mixed at random (seeded: a failure names its mix).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarehouseSettingsTest {

    /** Each setting a database may carry, with values that differ from PostgreSQL's defaults. */
    private static final Map<String, List<String>> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("default_transaction_isolation", List.of("'repeatable read'", "serializable"));
        SETTINGS.put("default_transaction_deferrable", List.of("on"));
        SETTINGS.put("timezone", List.of("'Pacific/Kiritimati'", "'America/St_Johns'", "'Asia/Kathmandu'"));
        SETTINGS.put("datestyle", List.of("'SQL, DMY'", "'German, DMY'", "'Postgres, MDY'", "'ISO, YMD'"));
        SETTINGS.put("intervalstyle", List.of("sql_standard", "iso_8601"));
        SETTINGS.put("extra_float_digits", List.of("-15", "0"));
        SETTINGS.put("bytea_output", List.of("escape"));
        SETTINGS.put("standard_conforming_strings", List.of("off"));
        SETTINGS.put("transform_null_equals", List.of("on"));
        SETTINGS.put("array_nulls", List.of("off"));
        SETTINGS.put("search_path", List.of("'\"$user\"'", "pg_catalog", "'public, pg_temp'"));
        SETTINGS.put("enable_hashagg", List.of("off"));
        SETTINGS.put("enable_hashjoin", List.of("off"));
        SETTINGS.put("enable_sort", List.of("off"));
        SETTINGS.put("work_mem", List.of("'64kB'"));
        SETTINGS.put("max_parallel_workers_per_gather", List.of("0", "4"));
        SETTINGS.put("quote_all_identifiers", List.of("on"));
    }

    private FixtureServer upstream;
    private String defaultRatios;
    private String defaultWeeks;

    @BeforeAll
    void productOnDefaults() {
        upstream = FixtureServer.start();
        Product product = refresh(Map.of());
        defaultRatios = product.ratios();
        defaultWeeks = product.weeks();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    static Stream<Arguments> settings() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("repeatable read", Map.of("default_transaction_isolation", "'repeatable read'")));
        cases.add(Arguments.of("serializable, deferrable",
            Map.of("default_transaction_isolation", "serializable", "default_transaction_deferrable", "on")));
        cases.add(Arguments.of("far time zone, day first",
            Map.of("timezone", "'Pacific/Kiritimati'", "datestyle", "'SQL, DMY'", "intervalstyle", "sql_standard")));
        cases.add(Arguments.of("half-hour time zone, German dates, short floats",
            Map.of("timezone", "'America/St_Johns'", "datestyle", "'German, DMY'", "extra_float_digits", "-15",
                "bytea_output", "escape")));
        cases.add(Arguments.of("old string syntax, null equality",
            Map.of("standard_conforming_strings", "off", "transform_null_equals", "on", "array_nulls", "off")));
        cases.add(Arguments.of("no public in the search path", Map.of("search_path", "'\"$user\"'")));
        cases.add(Arguments.of("only pg_catalog in the search path", Map.of("search_path", "pg_catalog")));
        cases.add(Arguments.of("other plans, little memory", Map.of("enable_hashagg", "off", "enable_hashjoin", "off",
            "enable_sort", "off", "work_mem", "'64kB'")));
        // Definitions read back quoted: the schema check found every constraint changed (500).
        cases.add(Arguments.of("every identifier quoted", Map.of("quote_all_identifiers", "on")));
        Random random = new Random(20261201);
        for (int mix = 1; mix <= 3; mix++) {
            Map<String, String> chosen = new LinkedHashMap<>();
            SETTINGS.forEach((name, values) -> {
                if (random.nextBoolean()) {
                    chosen.put(name, values.get(random.nextInt(values.size())));
                }
            });
            cases.add(Arguments.of("mix " + mix, chosen));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("settings")
    void theProductIsTheSameWhateverTheDatabaseSets(String theme, Map<String, String> settings) {
        Product product = refresh(settings);
        assertEquals(defaultRatios, product.ratios(), theme);
        assertEquals(defaultWeeks, product.weeks(), theme);
    }

    /**
     * A database's time limits for its sessions do not end a refresh whose sources are slow: its
     * COPY lasts as long as the body takes to arrive, and it waits for the next source's answer
     * in its transaction. Both limits ended such a refresh (503), and a try again could not mend it.
     * An analyst's session on the database keeps them.
     */
    @Test
    void theDatabasesTimeLimitsDoNotEndARefreshOfSlowSources() throws InterruptedException {
        Config config = TestWarehouse.newDatabase();
        for (String limit : List.of("statement_timeout", "idle_in_transaction_session_timeout",
                "idle_session_timeout")) {
            TestWarehouse.asSuperuser("alter database " + config.dbName() + " set " + limit + " = '300ms'");
        }
        Config slow = ConfigBuilder.from(config).sources(
            upstream.serveTrickling("/slow/moderna.csv", Fixtures.bytes("moderna.csv"), 4, Duration.ofMillis(250)),
            upstream.serveFixture("/slow/pfizer.csv", "pfizer.csv"),
            upstream.serveAfter("/slow/County_Population.csv", Duration.ofMillis(1200),
                Fixtures.bytes("county_population.csv"))).build();
        try (RunningApp app = RunningApp.start(slow)) {
            // The pool's sessions and the listener's sit idle past idle_session_timeout, which ended
            // them (a start could fail on it, and the listener warned every 300 ms).
            Thread.sleep(1000);
            app.given().post("/refresh").then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("doses_in_state_rows", equalTo(11800));
            // The listener's session lives on through idle time: the same backend a second later.
            String listener = "select pid from pg_stat_activity where datname = current_database() "
                + "and query like 'listen %'";
            Map<String, String> env = TestWarehouse.environment(config);
            String pid = TestWarehouse.text(env, listener);
            assertNotNull(pid, "the service listens");
            Thread.sleep(1000);
            assertEquals(pid, TestWarehouse.text(env, listener));
            app.given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
        }
        assertEquals("300ms", TestWarehouse.text(TestWarehouse.environment(config), "show idle_session_timeout"));
        assertEquals("300ms", TestWarehouse.text(TestWarehouse.environment(config), "show statement_timeout"));
        assertEquals("300ms",
            TestWarehouse.text(TestWarehouse.environment(config), "show idle_in_transaction_session_timeout"));
    }

    /**
     * The same settings given to the service's login role rather than to the database (as an
     * administrator may do for every database the role reaches): the same product.
     */
    @Test
    void settingsOfTheLoginRoleChangeNothingEither() {
        String role = "settings_role_" + System.nanoTime();
        Config config = TestWarehouse.newDatabase(role);
        for (String setting : List.of("default_transaction_isolation = serializable", "statement_timeout = '300ms'",
                "idle_in_transaction_session_timeout = '300ms'", "timezone = 'Pacific/Kiritimati'",
                "search_path = '\"$user\"'")) {
            TestWarehouse.asSuperuser("alter role " + role + " set " + setting);
        }
        Config slow = ConfigBuilder.from(config).sources(
            upstream.serveTrickling("/role/moderna.csv", Fixtures.bytes("moderna.csv"), 4, Duration.ofMillis(250)),
            upstream.serveFixture("/role/pfizer.csv", "pfizer.csv"),
            upstream.serveFixture("/role/County_Population.csv", "county_population.csv")).build();
        try (RunningApp app = RunningApp.start(slow)) {
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            assertEquals(defaultRatios,
                withoutRun(app.given().get("/ratios").then().statusCode(200).extract().asString()));
            assertEquals(defaultWeeks,
                withoutRun(app.given().get("/ratios/weekly").then().statusCode(200).extract().asString()));
        }
    }

    /**
     * A lock_timeout the database or the login role sets for analysts: a refresh that meets an
     * analyst's open read of a raw table waits for it to end, as it does without the setting, and
     * succeeds. It failed (503, SQLSTATE 55P03): the service's sessions cleared every time limit
     * of PostgreSQL's but this one.
     */
    @ParameterizedTest(name = "set by the {0}")
    @ValueSource(strings = {"database", "role"})
    void aLockTimeoutForAnalystsDoesNotFailARefreshThatMeetsTheirRead(String where) throws Exception {
        String role = "lock_timeout_" + System.nanoTime();
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase(role));
        TestWarehouse.asSuperuser("alter " + where + " " + (where.equals("role") ? role : config.dbName())
            + " set lock_timeout = '100ms'");
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            long runs = TestWarehouse.count(TestWarehouse.environment(config), "select count(*) from dwh.refresh_runs");
            try (Connection analyst = DriverManager.getConnection(TestWarehouse.jdbcUrl(config),
                    "postgres", "")) {
                analyst.setAutoCommit(false);
                analyst.createStatement().execute("select count(*) from raw.cdc_moderna_allocations");
                CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                        () -> app.given().queryParam("force", "true").post("/refresh"));
                // The refresh waits for the analyst's lock, well past the 100 ms.
                String waiting = "select count(*) from pg_locks l join pg_database d on d.oid = l.database "
                    + "where not l.granted and d.datname = current_database()";
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (TestWarehouse.count(TestWarehouse.environment(config), waiting) == 0) {
                    assertTrue(System.nanoTime() < deadline, "the refresh never waited for the analyst's lock: "
                        + (refresh.isDone() ? refresh.get().asString() : "still running"));
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                assertFalse(refresh.isDone(), () -> "the refresh did not wait: " + refresh.join().asString());
                analyst.commit();
                refresh.get(60, TimeUnit.SECONDS).then().statusCode(200)
                    .body("status", equalTo("succeeded"))
                    .body("doses_in_state_rows", equalTo(11800));
            }
            assertEquals(runs + 1, TestWarehouse.count(TestWarehouse.environment(config),
                "select count(*) from dwh.refresh_runs"));
        }
        assertEquals("100ms", TestWarehouse.text(TestWarehouse.environment(config), "show lock_timeout"));
    }

    /**
     * A database made with ICU's Turkish collation, where lower('I') is a dotless 'ı' and
     * upper('i') a dotted 'İ': states found by name in any case, as of a week too, and a counted
     * city written in capitals refused as a city written another way, as on any database. The
     * reads as of a week looked for Illinois's name folded the Turkish way, and answered 404 for
     * illinois, IOWA, hi or ri; CHICAGO was an unknown name, its doses left out with a warning.
     */
    @Test
    void underATurkishCollationStatesAreFoundAndWrittenAnotherWayAsOnAnyDatabase() {
        Config base = TestWarehouse.newDatabase();
        String name = "turkish_" + System.nanoTime();
        TestWarehouse.asSuperuser("create database " + name + " owner " + base.dbUser() + " template template0 "
            + "encoding 'UTF8' locale 'C' locale_provider icu icu_locale 'tr-TR'");
        Config config = ConfigBuilder.from(base)
            .database(base.dbHost(), base.dbPort(), name, base.dbUser(), base.dbPassword())
            .sources(upstream.serveFixture("/turkish/moderna.csv", "moderna.csv"),
                upstream.serveFixture("/turkish/pfizer.csv", "pfizer.csv"),
                upstream.serveFixture("/turkish/County_Population.csv", "county_population.csv")).build();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            List<Map<String, Object>> states = app.given().get("/ratios").then().statusCode(200)
                .extract().jsonPath().getList("$");
            int withAnI = 0;
            for (Map<String, Object> state : states) {
                String stateName = (String) state.get("state");
                String code = (String) state.get("state_code");
                String expected = app.given().get("/ratios/" + code + "?as_of=2021-01-04").then().statusCode(200)
                    .extract().asString();
                if (!stateName.toLowerCase(java.util.Locale.ROOT).contains("i")) {
                    continue;
                }
                withAnI++;
                for (String key : List.of(stateName.toUpperCase(java.util.Locale.ROOT),
                        stateName.toLowerCase(java.util.Locale.ROOT), code.toLowerCase(java.util.Locale.ROOT))) {
                    assertEquals(expected, app.given().get("/ratios/" + key + "?as_of=2021-01-04").then()
                        .extract().asString(), key);
                }
            }
            assertEquals(29, withAnI, "states whose name has an i");
            String pfizer = new String(Fixtures.bytes("pfizer.csv"), java.nio.charset.StandardCharsets.UTF_8);
            upstream.serve("/turkish/pfizer.csv", pfizer.replace("\"Chicago\"", "\"CHICAGO\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            app.given().post("/refresh").then().statusCode(422)
                .body("type", equalTo("/problems/source-content"))
                .body("state", equalTo("Illinois"))
                .body("detail", org.hamcrest.Matchers.containsString("the jurisdiction 'CHICAGO' is Chicago written "
                    + "another way"));
        }
    }

    /**
     * The product's digest, which a refresh of unchanged sources compares with, is the same from a
     * service in another time zone: the rows' text held refreshed_at in the session's zone, which
     * the driver takes from the JVM, so a service restarted in Pacific/Chatham rebuilt the product
     * from unchanged sources, warning that it had been "changed by hand".
     */
    @Test
    void aServiceInAnotherTimeZoneFindsUnchangedSourcesUnchanged() throws InterruptedException {
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
        }
        try (ServiceProcess refresh = ServiceProcess.start(List.of("-Duser.timezone=Pacific/Chatham"),
                List.of("refresh", "--json"), TestWarehouse.environment(config))) {
            assertEquals(0, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
            assertTrue(refresh.stdout().contains("\"status\":\"unchanged\""), refresh.stdout());
            assertFalse(refresh.log().contains("changed by hand"), refresh.log());
        }
    }

    private record Product(String ratios, String weeks) {
    }

    /**
     * A new database carrying {@code settings}, the service on it, the fixtures refreshed: the
     * product's rows and weeks as JSON without what differs from run to run (the time and the run).
     */
    private Product refresh(Map<String, String> settings) {
        Config config = TestWarehouse.newDatabase();
        settings.forEach((name, value) ->
            TestWarehouse.asSuperuser("alter database " + config.dbName() + " set " + name + " = " + value));
        try (RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            app.given().post("/refresh").then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("state_rows", equalTo(51))
                .body("doses_in_state_rows", equalTo(11800));
            app.given().config(DECIMALS).get("/ratios/NY").then().statusCode(200)
                .body("doses_total", equalTo(7500))
                .body("people_per_dose", comparesEqualTo(new BigDecimal("0.8000")));
            app.given().config(DECIMALS).get("/ratios/VT").then().statusCode(200)
                .body("people_per_dose", comparesEqualTo(new BigDecimal("1.7629")));
            // A second refresh of the same bytes finds them unchanged: the run's validators and
            // hashes were recorded and read back alike.
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("unchanged"));
            return new Product(withoutRun(app.given().get("/ratios").then().statusCode(200).extract().asString()),
                withoutRun(app.given().get("/ratios/weekly").then().statusCode(200).extract().asString()));
        }
    }

    private static String withoutRun(String json) {
        return json.replaceAll("\"refreshed_at\":\"[^\"]*\"", "\"refreshed_at\":_")
            .replaceAll("\"run_id\":\\d+", "\"run_id\":_");
    }
}
