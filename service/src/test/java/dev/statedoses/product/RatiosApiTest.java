package dev.statedoses.product;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The product end to end: fixture sources over real HTTP, the real app on a random port, a real
 * PostgreSQL. Every expected number is worked out by hand in src/test/resources/fixtures/README.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RatiosApiTest {

    private FixtureServer upstream;
    private RunningApp app;
    private Config config;
    private ExtractableResponse<Response> refresh;

    @BeforeAll
    void refreshOnce() {
        upstream = FixtureServer.start();
        config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        app = RunningApp.start(config);
        refresh = app.given().config(DECIMALS).post("/refresh").then()
            .statusCode(200).contentType("application/json").extract();
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void refreshReportsEachSourceWithItsUrlSizeRowsAndHash() {
        byte[] moderna = Fixtures.bytes("moderna.csv");
        byte[] population = Fixtures.bytes("county_population.csv");
        refresh.response().then()
            .body("run_id", equalTo(1))
            .body("sources.source", contains("moderna", "pfizer", "population"))
            .body("sources.rows", contains(8, 7, 53))
            .body("sources[0].url", equalTo(config.modernaUrl().toString()))
            .body("sources[0].bytes", equalTo(moderna.length))
            .body("sources[0].sha256", equalTo(Fixtures.sha256(moderna)))
            .body("sources[2].bytes", equalTo(population.length))
            .body("sources[2].sha256", equalTo(Fixtures.sha256(population)))
            .body("state_rows", equalTo(51))
            .body("started_at", containsString("T"))
            .body("finished_at", containsString("T"));
    }

    @Test
    void refreshAccountsForEveryExcludedDoseByJurisdiction() {
        refresh.response().then()
            .body("doses_in_sources", equalTo(13930))
            .body("doses_in_state_rows", equalTo(11800))
            .body("doses_excluded", equalTo(2130))
            .body("exclusions.jurisdiction", contains("Federal Entities", "Guam", "Palau", "Atlantis"))
            .body("exclusions.kind", contains("federal", "territory", "freely_associated_state", "unknown"))
            .body("exclusions.doses_moderna", contains(1400, 100, 0, 0))
            .body("exclusions.doses_pfizer", contains(600, 0, 20, 10))
            .body("exclusions.doses_total", contains(2000, 100, 20, 10));
    }

    @Test
    void ratiosHasTheFiftyStatesAndDcInOrder() {
        List<String> states = app.given().get("/ratios").then()
            .statusCode(200).contentType("application/json")
            .body("$", hasSize(51))
            .extract().jsonPath().getList("state", String.class);
        assertEquals(states.stream().sorted().toList(), states);
        assertEquals("Alabama", states.get(0));
        assertEquals("District of Columbia", states.get(8));
        assertEquals("Wyoming", states.get(50));
    }

    @Test
    void citiesAreFoldedIntoTheirStates() {
        app.given().config(DECIMALS).get("/ratios/NY").then()
            .statusCode(200)
            .body("state", equalTo("New York"))
            .body("state_code", equalTo("NY"))
            .body("population", equalTo(6000))
            .body("doses_moderna", equalTo(3500))
            .body("doses_pfizer", equalTo(4000))
            .body("doses_total", equalTo(7500))
            .body("people_per_dose", comparesEqualTo(new BigDecimal("0.8000")));
        app.given().config(DECIMALS).get("/ratios/IL").then()
            .statusCode(200)
            .body("population", equalTo(3000))
            .body("doses_moderna", equalTo(0))
            .body("doses_pfizer", equalTo(3600))
            .body("people_per_dose", comparesEqualTo(new BigDecimal("0.8333")));
    }

    @Test
    void ratioIsRoundedToFourDecimalsAndNullWithoutDoses() {
        app.given().config(DECIMALS).get("/ratios/VT").then()
            .body("population", equalTo(1234))
            .body("doses_total", equalTo(700))
            .body("people_per_dose", comparesEqualTo(new BigDecimal("1.7629")));
        app.given().get("/ratios/AK").then()
            .body("population", equalTo(900))
            .body("doses_total", equalTo(0))
            .body("people_per_dose", nullValue());
        app.given().get("/ratios").then()
            .body("findAll { it.population == 10000 }", hasSize(47))
            .body("findAll { it.population == 10000 }.people_per_dose", everyItem(nullValue()));
    }

    @Test
    void aStateIsFoundByCodeOrNameInAnyCase() {
        for (String key : List.of("NY", "ny", "New York", "new york", "NEW YORK")) {
            app.given().pathParam("state", key).get("/ratios/{state}").then()
                .statusCode(200).body("state_code", equalTo("NY"));
        }
        app.given().urlEncodingEnabled(false).get("/ratios/New%20York").then()
            .statusCode(200).body("state_code", equalTo("NY"));
        app.given().urlEncodingEnabled(false).get("/ratios/district%20of%20columbia").then()
            .statusCode(200).body("state_code", equalTo("DC"));
    }

    @Test
    void puertoRicoIsNotAStateRowThoughItHasCounties() {
        app.given().get("/ratios/PR").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/unknown-state"))
            .body("status", equalTo(404))
            .body("detail", containsString("No state 'PR'"));
        app.given().pathParam("state", "Puerto Rico").get("/ratios/{state}").then().statusCode(404);
    }

    @Test
    void malformedStateIsABadRequestNotAServerError() {
        app.given().pathParam("state", "NY'; drop table x").get("/ratios/{state}").then()
            .statusCode(400).contentType("application/problem+json")
            .body("type", equalTo("/problems/invalid-state"));
    }

    @Test
    void analystsReadTheSameRowsFromTheTable() {
        List<Map<String, Object>> rows = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery("""
                select state, state_code, population, doses_total, people_per_dose,
                       refreshed_at is not null as has_time
                from dwh.state_doses where state_code in ('NY', 'AK') order by state_code""")
            .mapToMap().list());
        assertEquals(2, rows.size());
        assertEquals(Map.of("state", "Alaska", "state_code", "AK", "population", 900L, "doses_total", 0L,
            "has_time", true), withoutNulls(rows.get(0)));
        assertEquals(new BigDecimal("0.8000"), rows.get(1).get("people_per_dose"));
        assertEquals(7500L, rows.get(1).get("doses_total"));
    }

    @Test
    void everyRunIsLoggedWithItsSources() {
        List<Map<String, Object>> sources = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery("""
                select r.status, s.source, s.rows from dwh.refresh_runs r
                join dwh.refresh_run_sources s using (run_id) order by s.source""")
            .mapToMap().list());
        assertEquals(List.of(
            Map.of("status", "succeeded", "source", "moderna", "rows", 8L),
            Map.of("status", "succeeded", "source", "pfizer", "rows", 7L),
            Map.of("status", "succeeded", "source", "population", "rows", 53L)), sources);
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> row) {
        Map<String, Object> copy = new java.util.HashMap<>(row);
        copy.values().removeIf(java.util.Objects::isNull);
        return copy;
    }
}
