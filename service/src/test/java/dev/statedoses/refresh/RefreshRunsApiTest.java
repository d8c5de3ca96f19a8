package dev.statedoses.refresh;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The log of refreshes over HTTP: GET /refreshes (newest first, limited) and GET /refreshes/{id},
 * after a refresh that succeeded (run 1) and one that failed (run 2: pfizer answered 403). The
 * expected numbers come from the fixtures (src/test/resources/fixtures/README.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefreshRunsApiTest {

    private static final String CHECK_NAMES = "unique_state, unique_state_code, not_null, "
        + "accepted_values_jurisdiction, row_count, reconciliation, completeness_moderna, completeness_pfizer, "
        + "allocation_coverage, plausible_weeks, plausible_people_per_dose, plausible_population, derived_values";

    private FixtureServer upstream;
    private Config config;
    private RunningApp app;
    private JsonPath report;

    @BeforeAll
    void succeedThenFail() {
        upstream = FixtureServer.start();
        config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        app = RunningApp.start(config);
        report = app.given().post("/refresh").then().statusCode(200).extract().jsonPath();
        // The same URL now fails: run 2 fails after it loaded moderna.
        upstream.serveStatus("/pfizer.csv", 403, "text/plain", "oops");
        app.given().post("/refresh").then().statusCode(502);
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void listsEveryAttemptNewestFirstWithStatusAndError() {
        app.given().get("/refreshes").then()
            .statusCode(200).contentType("application/json")
            .body("run_id", contains(2, 1))
            .body("status", contains("failed", "succeeded"))
            .body("trigger", contains("api", "api"))
            .body("[0].error", equalTo("pfizer source (" + config.pfizerUrl() + "): upstream answered HTTP 403"))
            .body("[0].state_rows", nullValue())
            .body("[0].finished_at", containsString("T"))
            .body("[0].duration_ms", greaterThanOrEqualTo(0))
            .body("[1].error", nullValue())
            .body("[1].state_rows", equalTo(51))
            .body("[1].started_at", containsString("T"))
            .body("[1].duration_ms", greaterThanOrEqualTo(0))
            // The list leaves the checks to GET /refreshes/{id}.
            .body("[0]", not(hasKey("checks")))
            .body("[1]", not(hasKey("checks")));
    }

    @Test
    void aSucceededRunHasEachSourceWithItsBytesHashAndWeeks() {
        byte[] moderna = Fixtures.bytes("moderna.csv");
        byte[] pfizer = Fixtures.bytes("pfizer.csv");
        byte[] population = Fixtures.bytes("county_population.csv");
        app.given().get("/refreshes").then()
            .body("[1].sources.source", contains("moderna", "pfizer", "population"))
            .body("[1].sources.url", contains(config.modernaUrl().toString(), config.pfizerUrl().toString(),
                config.countyPopulationUrl().toString()))
            .body("[1].sources.rows", contains(8, 7, 53))
            .body("[1].sources.bytes", contains(moderna.length, pfizer.length, population.length))
            .body("[1].sources.sha256", contains(Fixtures.sha256(moderna), Fixtures.sha256(pfizer),
                Fixtures.sha256(population)))
            .body("[1].sources.load_ms", contains(greaterThanOrEqualTo(0), greaterThanOrEqualTo(0),
                greaterThanOrEqualTo(0)))
            // moderna: 2020-12-28 and 2021-01-04; pfizer: 2021-01-04 only; population has no weeks.
            .body("[1].sources.first_week", contains("2020-12-28", "2021-01-04", null))
            .body("[1].sources.last_week", contains("2021-01-04", "2021-01-04", null))
            .body("[1].sources.weeks", contains(2, 1, null));
    }

    @Test
    void aFailedRunHasTheSourcesItLoadedBeforeItFailed() {
        byte[] moderna = Fixtures.bytes("moderna.csv");
        app.given().get("/refreshes/2").then()
            .statusCode(200).contentType("application/json")
            .body("run_id", equalTo(2))
            .body("status", equalTo("failed"))
            .body("error", equalTo("pfizer source (" + config.pfizerUrl() + "): upstream answered HTTP 403"))
            .body("sources.source", contains("moderna"))
            .body("sources[0].bytes", equalTo(moderna.length))
            .body("sources[0].sha256", equalTo(Fixtures.sha256(moderna)))
            .body("sources[0].weeks", equalTo(2))
            // It failed before the product was built, so no check ran.
            .body("checks", hasSize(0));
    }

    @Test
    void oneRunHasItsChecks() {
        app.given().get("/refreshes/1").then()
            .statusCode(200).contentType("application/json")
            .body("run_id", equalTo(1))
            .body("status", equalTo("succeeded"))
            .body("sources.weeks", contains(2, 1, null))
            .body("checks.name", contains(CHECK_NAMES.split(", ")))
            .body("checks.status", contains("pass", "pass", "pass", "warn", "pass", "pass", "warn", "pass", "warn", "pass", "warn", "warn",
                "pass"))
            .body("checks.detail", contains(
                "every state has one row in dwh.state_doses",
                "every state_code has one row in dwh.state_doses",
                "state, state_code, population, doses_moderna, doses_pfizer, doses_total, refreshed_at and "
                    + "run_id are set in every row",
                // pfizer's Atlantis: 5 + 5 doses, an exclusion of kind unknown.
                "1 jurisdiction(s) not in dwh.jurisdictions, their doses reported as exclusions of kind "
                    + "unknown: Atlantis (pfizer, 10 doses)",
                "dwh.state_doses has 51 rows: the 50 states and DC",
                "13930 doses in the sources = 11800 in state rows + 2130 excluded",
                // moderna's 2021-01-04: NY, NYC, Vermont, Alaska, Guam, Federal Entities; 2020-12-28: NY, NYC.
                "week 2020-12-28 has 2 of 6 jurisdictions",
                "1 week, with 7 jurisdictions",
                // moderna's first week, 2020-12-28, is not pfizer's (only Pfizer's 2020-12-14 is
                // excused), and each file allocates to two places the other does not.
                "pfizer has no row in 1 week that moderna has: 2020-12-28; moderna has no row for 2 states or "
                    + "cities that pfizer has: Chicago, Illinois; pfizer has no row for 2 states or cities that "
                    + "moderna has: Alaska, New York City",
                "every week lies between its manufacturer's first allocations (pfizer 2020-12-14, moderna "
                    + "2020-12-21) and the week after the one the refresh runs in",
                // 48 of the 51 states have no doses in the fixtures (all but New York, Illinois, Vermont).
                "48 of the 51 states have no doses, too many to compare the others with a median: Alabama, "
                    + "Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, District of Columbia, "
                    + "Florida and 38 more",
                // The fixtures' populations (10,000 a state; New York 6,000, Illinois 3,000) against
                // the 2020 census: Illinois 12,812,508 / 3,000 = 4270.84 times under, and so on.
                "51 state(s) more than 1.25 times over or under their 2020 census count: Illinois 3000 (4270.84 "
                    + "times under its census count, 12812508); California 10000 (3953.82 times under its census "
                    + "count, 39538223); New York 6000 (3366.87 times under its census count, 20201249); Texas 10000 "
                    + "(2914.55 times under its census count, 29145505); Florida 10000 (2153.82 times under its "
                    + "census count, 21538187); Pennsylvania 10000 (1300.27 times under its census count, 13002700); "
                    + "Ohio 10000 (1179.94 times under its census count, 11799448); Georgia 10000 (1071.19 times "
                    + "under its census count, 10711908); North Carolina 10000 (1043.94 times under its census "
                    + "count, 10439388); Michigan 10000 (1007.73 times under its census count, 10077331); and 41 "
                    + "more",
                "doses_total, people_per_dose and state_code are as the product defines them in every row of "
                    + "dwh.state_doses and dwh.state_doses_weekly"));
    }

    @Test
    void theRefreshReportHasTheSameChecksAndWeeks() {
        assertEquals(List.of(CHECK_NAMES.split(", ")), report.getList("checks.name"));
        assertEquals(List.of("pass", "pass", "pass", "warn", "pass", "pass", "warn", "pass", "warn", "pass", "warn", "warn",
            "pass"),
            report.getList("checks.status"));
        assertEquals("week 2020-12-28 has 2 of 6 jurisdictions", report.getString("checks[6].detail"));
        assertEquals(java.util.Arrays.asList("2020-12-28", "2021-01-04", null), report.getList("sources.first_week"));
        assertEquals(java.util.Arrays.asList(2, 1, null), report.getList("sources.weeks"));
        JsonPath stored = app.given().get("/refreshes/1").then().extract().jsonPath();
        assertEquals(report.getList("checks"), stored.getList("checks"));
        assertEquals(report.getList("sources"), stored.getList("sources"));
    }

    @Test
    void limitKeepsTheNewest() {
        app.given().queryParam("limit", 1).get("/refreshes").then()
            .statusCode(200).body("run_id", contains(2));
        app.given().queryParam("limit", 100).get("/refreshes").then()
            .statusCode(200).body("run_id", contains(2, 1));
    }

    @Test
    void aLimitOutsideOneToAHundredIsABadRequest() {
        for (String limit : List.of("0", "101", "-1", "abc", "", "1.5", "99999999999999999999")) {
            app.given().queryParam("limit", limit).get("/refreshes").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-limit"))
                .body("title", equalTo("Invalid limit"))
                .body("status", equalTo(400))
                .body("detail", containsString("limit must be a whole number from 1 to 100"));
        }
        // Digits only, as for a run's id: whitespace around them (a %20 or a + in the URL) is none.
        for (String query : List.of("limit=%201", "limit=+1", "limit=1%20", "limit=1+", "limit=%091", "limit=1%0A")) {
            app.given().urlEncodingEnabled(false).get("/refreshes?" + query).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-limit"))
                .body("title", equalTo("Invalid limit"))
                .body("status", equalTo(400))
                .body("detail", containsString("limit must be a whole number from 1 to 100"));
        }
    }

    @Test
    void anUnknownRunIsNotFoundAndAMalformedIdABadRequest() {
        app.given().get("/refreshes/3").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/unknown-refresh"))
            .body("detail", equalTo("No refresh 3: GET /refreshes lists them"));
        app.given().get("/refreshes/0").then().statusCode(404);
        // Digits are an id however many there are: one no run has is 404, beyond a bigint too.
        for (String id : List.of("1000000000000000000", "9223372036854775807", "12345678901234567890")) {
            app.given().get("/refreshes/" + id).then()
                .statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("/problems/unknown-refresh"))
                .body("detail", equalTo("No refresh " + id + ": GET /refreshes lists them"));
        }
        app.given().get("/refreshes/" + "9".repeat(200)).then()
            .statusCode(404).body("type", equalTo("/problems/unknown-refresh"))
            .body("detail", equalTo("No refresh " + "9".repeat(40) + "… (200 characters): GET /refreshes lists them"));
        app.given().get("/refreshes/" + "0".repeat(30) + "1").then().statusCode(200).body("run_id", equalTo(1));
        // Digits of other scripts (a superscript two, an Arabic-Indic one) are not digits here.
        for (String id : List.of("%C2%B2", "%D9%A1")) {
            app.given().urlEncodingEnabled(false).get("/refreshes/" + id).then()
                .statusCode(400).body("type", equalTo("/problems/invalid-refresh-id"));
        }
        for (String id : List.of("abc", "-1", "1.0", "1e3", "+1", "0x10")) {
            app.given().get("/refreshes/" + id).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-refresh-id"))
                .body("detail", containsString("is not a refresh id"));
        }
    }

    /**
     * An id is digits, nothing around them: whitespace of any kind before or after is a 400, as the
     * contract's RefreshId says (it was stripped, and {@code /refreshes/1%20} answered run 1). A
     * state keeps its documented stripping of surrounding whitespace, and a dashboard or docs file
     * name is looked up exactly.
     */
    /**
     * The contract's examples show what a run really answers: every example holding a list of
     * checks lists the checks a run has, in their order, and its fields are the real answer's.
     * The schema check of every response (support/Contract) never reads the examples, and the
     * examples had kept 8 checks after the run had 12.
     */
    @Test
    void theContractsExamplesShowTheChecksAndFieldsARunHas() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(java.nio.file.Path.of("..", "openapi.yaml").toFile());
        List<String> names = report.getList("checks.name");
        assertEquals(CHECK_NAMES, String.join(", ", names));
        java.util.Set<String> checkFields = new java.util.TreeSet<>(report.<String, Object>getMap("checks[0]").keySet());
        List<String> found = new java.util.ArrayList<>();
        List<com.fasterxml.jackson.databind.JsonNode> nodes = new java.util.ArrayList<>(List.of(spec));
        while (!nodes.isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode node = nodes.remove(nodes.size() - 1);
            node.forEach(nodes::add);
            com.fasterxml.jackson.databind.JsonNode checks = node.isObject() ? node.get("checks") : null;
            if (checks == null || !checks.isArray() || checks.isEmpty() || !checks.get(0).has("status")) {
                continue;
            }
            List<String> shown = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode check : checks) {
                shown.add(check.get("name").asText());
                java.util.Set<String> fields = new java.util.TreeSet<>();
                check.fieldNames().forEachRemaining(fields::add);
                assertEquals(checkFields, fields, check.toString());
            }
            // A check-failed problem lists the failed checks only; a run lists them all.
            if (node.has("run_id")) {
                assertEquals(CHECK_NAMES, String.join(", ", shown), "an example run's checks: " + node.get("run_id"));
                found.add(node.get("run_id").asText());
            }
        }
        assertTrue(found.size() >= 2, "the examples with checks: " + found);
        // The whole example of each answer has the real answer's fields.
        JsonPath one = app.given().get("/refreshes/1").then().statusCode(200).extract().jsonPath();
        assertEquals(new java.util.TreeSet<>(report.<String, Object>getMap("$").keySet()), fields(spec.at(
            "/paths/~1refresh/post/responses/200/content/application~1json/examples/refreshed/value")));
        assertEquals(new java.util.TreeSet<>(one.<String, Object>getMap("$").keySet()), fields(spec.at(
            "/paths/~1refreshes~1{id}/get/responses/200/content/application~1json/examples/lakeFiles/value")));
        assertEquals(new java.util.TreeSet<>(one.<String, Object>getMap("sources[0]").keySet()), fields(spec.at(
            "/paths/~1refreshes~1{id}/get/responses/200/content/application~1json/examples/lakeFiles/value/sources/0")));
    }

    private static java.util.Set<String> fields(com.fasterxml.jackson.databind.JsonNode node) {
        assertTrue(node.isObject(), "no example there");
        java.util.Set<String> fields = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(fields::add);
        return fields;
    }

    @Test
    void anIdWithWhitespaceAroundItIsMalformed() {
        app.given().get("/refreshes/1").then().statusCode(200).body("run_id", equalTo(1));
        for (String space : List.of("%20", "%09", "%0A", "%0D", "%0B", "%0C", "%C2%A0", "%E2%80%83", "%E3%80%80",
                "%20%20")) {
            for (String id : List.of("1" + space, space + "1", space + "1" + space, "1" + space + "2", space)) {
                app.given().urlEncodingEnabled(false).get("/refreshes/" + id).then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("/problems/invalid-refresh-id"))
                    .body("detail", containsString("is not a refresh id"));
            }
        }
        // RatioController's State: "after surrounding whitespace is stripped" (openapi.yaml), still.
        // Spaces of any kind: a no-break space (pasted from a web page) as well as an ideographic one.
        for (String state : List.of("%20NY", "NY%20", "%09NY%0A", "%20New%20York%20", "%C2%A0NY", "NY%C2%A0",
                "%E2%80%AFNew%20York%E3%80%80")) {
            app.given().urlEncodingEnabled(false).get("/ratios/" + state).then()
                .statusCode(200).body("state_code", equalTo("NY"));
            app.given().urlEncodingEnabled(false).get("/ratios/" + state + "/weekly").then()
                .statusCode(200).body("$", hasSize(2)); // the fixtures' two weeks
            app.given().urlEncodingEnabled(false).get("/ratios/weekly?state=" + state).then()
                .statusCode(200).body("$", hasSize(2)).body("state_code", everyItem(equalTo("NY")));
        }
        // A zero-width space is no space: still a 400 naming the value.
        app.given().urlEncodingEnabled(false).get("/ratios/NY%E2%80%8B").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-state"));
        for (String file : List.of("/dashboard/dashboard.css%20", "/dashboard/%20dashboard.css",
                "/dashboard/dashboard.css%0A", "/docs/assets/%20dashboard.css")) {
            app.given().urlEncodingEnabled(false).get(file).then().statusCode(404);
        }
    }

    @Test
    void aRunInFlightIsListedAsRunningWithoutAnEnd() throws Exception {
        try (FixtureServer slow = FixtureServer.start()) {
            FixtureServer.Hold moderna = slow.serveHeld("/moderna.csv", Fixtures.bytes("moderna.csv"));
            URI pfizer = slow.serveFixture("/pfizer.csv", "pfizer.csv");
            URI population = slow.serveFixture("/County_Population.csv", "county_population.csv");
            try (RunningApp held = RunningApp.start(ConfigBuilder.from(TestWarehouse.newDatabase())
                    .sources(moderna.url(), pfizer, population).build())) {
                CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(
                    () -> held.given().post("/refresh").statusCode());
                try {
                    moderna.awaitRequested();
                    held.given().get("/refreshes").then()
                        .statusCode(200)
                        .body("run_id", contains(1))
                        .body("[0].status", equalTo("running"))
                        .body("[0].started_at", notNullValue())
                        .body("[0].finished_at", nullValue())
                        .body("[0].duration_ms", nullValue())
                        .body("[0]", hasKey("duration_ms"))
                        .body("[0].state_rows", nullValue())
                        .body("[0].error", nullValue())
                        .body("[0].sources", hasSize(0));
                } finally {
                    moderna.release();
                }
                assertEquals(200, refresh.get(30, TimeUnit.SECONDS));
                held.given().get("/refreshes/1").then()
                    .body("status", equalTo("succeeded"))
                    .body("duration_ms", greaterThanOrEqualTo(0))
                    .body("checks", hasSize(13));
            }
        }
    }
}
