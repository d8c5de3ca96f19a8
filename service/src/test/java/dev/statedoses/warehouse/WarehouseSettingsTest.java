package dev.statedoses.warehouse;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
    void theDatabasesTimeLimitsDoNotEndARefreshOfSlowSources() {
        Config config = TestWarehouse.newDatabase();
        for (String limit : List.of("statement_timeout", "idle_in_transaction_session_timeout")) {
            TestWarehouse.asSuperuser("alter database " + config.dbName() + " set " + limit + " = '300ms'");
        }
        Config slow = ConfigBuilder.from(config).sources(
            upstream.serveTrickling("/slow/moderna.csv", Fixtures.bytes("moderna.csv"), 4, Duration.ofMillis(250)),
            upstream.serveFixture("/slow/pfizer.csv", "pfizer.csv"),
            upstream.serveAfter("/slow/County_Population.csv", Duration.ofMillis(1200),
                Fixtures.bytes("county_population.csv"))).build();
        try (RunningApp app = RunningApp.start(slow)) {
            app.given().post("/refresh").then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("doses_in_state_rows", equalTo(11800));
        }
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
