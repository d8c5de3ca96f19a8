package dev.statedoses.product;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.LoadedProduct;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GET /ratios/weekly: every state and week in one answer (long format), from the snapshot, with
 * the numbers of GET /ratios/{state}/weekly. Over the fixture sources (two weeks; worked out in
 * fixtures/README.md and AsOfAndWeeklyTest):
 * <pre>
 * state     week        moderna  pfizer  total (cumulative)  people per dose
 * Alaska    2020-12-28        0       0      0               null (900 people, no doses)
 * Alaska    2021-01-04        0       0      0               null (a real 0/0 row)
 * Illinois  2020-12-28        0       0      0               null
 * Illinois  2021-01-04        0    3600   3600               3000 / 3600 = 0.8333
 * New York  2020-12-28      700       0    700               6000 / 700  = 8.5714
 * New York  2021-01-04     2800    4000   7500               6000 / 7500 = 0.8000
 * Vermont   2020-12-28        0       0      0               null
 * Vermont   2021-01-04      600     100    700               1234 / 700  = 1.7629
 * the other 47 states: 0, 0, 0, null in both weeks
 * </pre>
 * 51 states x 2 weeks = 102 rows; the week by week doses add up to the 11,800 doses of the state
 * rows (Moderna 3500 + 600 = 4100, Pfizer 4000 + 3600 + 100 = 7700).
 */
class AllWeeksTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** A second service on an empty warehouse: before any refresh. */
    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    @Test
    void everyStateAndWeekInOneAnswerWithTheFixtureNumbers() {
        loaded.given().config(DECIMALS).get("/ratios/weekly").then()
            .statusCode(200).contentType("application/json")
            .body("$", hasSize(102))
            // By state (the order of GET /ratios), then week.
            .body("[0].state", equalTo("Alabama"))
            .body("[0].week", equalTo("2020-12-28"))
            .body("[1].week", equalTo("2021-01-04"))
            .body("[101].state", equalTo("Wyoming"))
            .body("findAll { it.state_code == 'NY' }.week", contains("2020-12-28", "2021-01-04"))
            .body("findAll { it.state_code == 'NY' }.doses_moderna", contains(700, 2800))
            .body("findAll { it.state_code == 'NY' }.doses_pfizer", contains(0, 4000))
            .body("findAll { it.state_code == 'NY' }.doses_total", contains(700, 7500))
            .body("findAll { it.state_code == 'NY' }.people_per_dose", contains(new BigDecimal("8.5714"),
                new BigDecimal("0.8000")))
            .body("findAll { it.state_code == 'IL' }.doses_pfizer", contains(0, 3600))
            .body("findAll { it.state_code == 'IL' }.people_per_dose", contains(nullValue(),
                equalTo(new BigDecimal("0.8333"))))
            .body("findAll { it.state_code == 'VT' }.doses_total", contains(0, 700))
            .body("findAll { it.state_code == 'VT' }.people_per_dose[1]", comparesEqualTo(new BigDecimal("1.7629")))
            .body("findAll { it.state_code == 'AK' }.doses_total", contains(0, 0))
            .body("findAll { it.state_code == 'AK' }.people_per_dose", contains(nullValue(), nullValue()));
        loaded.given().get("/ratios/weekly").then()
            .body("doses_moderna.sum()", equalTo(4100))
            .body("doses_pfizer.sum()", equalTo(7700))
            .body("findAll { it.week == '2021-01-04' }.doses_total.sum()", equalTo(11800));
    }

    @Test
    void aRowHasExactlyTheDocumentedFields() {
        Map<String, Object> row = loaded.given().get("/ratios/weekly").then().statusCode(200)
            .extract().jsonPath().getMap("[0]");
        assertEquals(List.of("state", "state_code", "week", "doses_moderna", "doses_pfizer", "doses_total",
            "people_per_dose"), List.copyOf(row.keySet()));
    }

    @Test
    void theSameNumbersAsEachStatesWeeks() {
        List<Map<String, Object>> all = loaded.given().get("/ratios/weekly").then().statusCode(200)
            .extract().jsonPath().getList("$");
        Map<String, List<Map<String, Object>>> byState = new LinkedHashMap<>();
        for (Map<String, Object> row : all) {
            Map<String, Object> week = new HashMap<>(row);
            String code = (String) week.remove("state_code");
            week.remove("state");
            byState.computeIfAbsent(code, c -> new ArrayList<>()).add(week);
        }
        assertEquals(51, byState.size());
        for (Map.Entry<String, List<Map<String, Object>>> state : byState.entrySet()) {
            List<Map<String, Object>> own = loaded.given().get("/ratios/" + state.getKey() + "/weekly").then()
                .statusCode(200).extract().jsonPath().getList("$");
            assertEquals(own, state.getValue(), state.getKey());
            // And through the filter: the same rows, state fields and all.
            assertEquals(all.stream().filter(r -> r.get("state_code").equals(state.getKey())).toList(),
                loaded.given().queryParam("state", state.getKey()).get("/ratios/weekly").then().statusCode(200)
                    .extract().jsonPath().getList("$"), state.getKey());
        }
    }

    @Test
    void stateKeepsTheStatesNamedRepeatedOrCommaSeparated() {
        // Any order and any case, codes or names; each state once, in the order of GET /ratios.
        loaded.given().queryParam("state", "ny", "Illinois", "NY").get("/ratios/weekly").then()
            .statusCode(200)
            .body("state_code", contains("IL", "IL", "NY", "NY"))
            .body("doses_total", contains(0, 3600, 700, 7500));
        loaded.given().queryParam("state", "VT,ak").get("/ratios/weekly").then()
            .statusCode(200)
            .body("state_code", contains("AK", "AK", "VT", "VT"));
        loaded.given().urlEncodingEnabled(false).get("/ratios/weekly?state=New%20York&state=VT").then()
            .statusCode(200)
            .body("state", contains("New York", "New York", "Vermont", "Vermont"));
    }

    @Test
    void fromAndToKeepTheWeeksBetweenThemAndTotalsStayCumulative() {
        // 2021-01-01 is a Friday: only the week of 2021-01-04 is on or after it.
        loaded.given().queryParam("from", "2021-01-01").get("/ratios/weekly").then()
            .statusCode(200).body("$", hasSize(51)).body("week", everyItem(equalTo("2021-01-04")));
        loaded.given().queryParam("to", "2020-12-28").get("/ratios/weekly").then()
            .statusCode(200).body("$", hasSize(51)).body("week", everyItem(equalTo("2020-12-28")));
        // Both bounds are included.
        loaded.given().queryParam("from", "2020-12-28").queryParam("to", "2021-01-04").get("/ratios/weekly").then()
            .statusCode(200).body("$", hasSize(102));
        // doses_total counts every week up to the row's, not only those from `from`: 700 + 2800 + 4000.
        loaded.given().queryParam("state", "NY").queryParam("from", "2021-01-04").get("/ratios/weekly").then()
            .statusCode(200)
            .body("week", contains("2021-01-04"))
            .body("doses_moderna", contains(2800))
            .body("doses_total", contains(7500));
        // No week in between: nothing, but not an error.
        loaded.given().queryParam("from", "2021-01-05").get("/ratios/weekly").then()
            .statusCode(200).body(equalTo("[]"));
        loaded.given().queryParam("from", "2020-12-29").queryParam("to", "2021-01-03").get("/ratios/weekly").then()
            .statusCode(200).body(equalTo("[]"));
    }

    @Test
    void csvHasTheSameRowsUnderAHeader() {
        String csv = loaded.given().queryParam("format", "csv").get("/ratios/weekly").then()
            .statusCode(200).contentType("text/csv; charset=utf-8").extract().asString();
        List<String> lines = List.of(csv.split("\r\n"));
        assertEquals(103, lines.size());
        assertEquals("state,state_code,week,doses_moderna,doses_pfizer,doses_total,people_per_dose", lines.get(0));
        assertEquals("Alabama,AL,2020-12-28,0,0,0,", lines.get(1));
        assertEquals(List.of("New York,NY,2020-12-28,700,0,700,8.5714", "New York,NY,2021-01-04,2800,4000,7500,0.8000"),
            lines.stream().filter(l -> l.startsWith("New York,")).toList());
        assertEquals("state,state_code,week,doses_moderna,doses_pfizer,doses_total,people_per_dose\r\n"
                + "Vermont,VT,2021-01-04,600,100,700,1.7629\r\n",
            loaded.given().header("Accept", "text/csv").queryParam("state", "vt").queryParam("from", "2021-01-04")
                .get("/ratios/weekly").asString());
    }

    @Test
    void etagLastModifiedAnd304LikeTheOtherReads() {
        String lastModified = loaded.given().get("/ratios/NY").header("Last-Modified");
        String etag = loaded.given().get("/ratios/weekly").then().statusCode(200)
            .header("Cache-Control", "no-cache")
            .header("Vary", "Accept")
            .header("Last-Modified", lastModified)
            .extract().header("ETag");
        loaded.given().header("If-None-Match", etag).get("/ratios/weekly").then()
            .statusCode(304).body(emptyString()).header("ETag", etag).header("Last-Modified", lastModified);
        loaded.given().header("If-Modified-Since", lastModified).get("/ratios/weekly").then().statusCode(304);
        // Another answer, another validator: the CSV, and a filtered answer.
        String csv = loaded.given().queryParam("format", "csv").get("/ratios/weekly").header("ETag");
        String filtered = loaded.given().queryParam("state", "NY").get("/ratios/weekly").header("ETag");
        assertNotEquals(etag, csv);
        assertNotEquals(etag, filtered);
        loaded.given().queryParam("state", "NY").header("If-None-Match", filtered).get("/ratios/weekly").then()
            .statusCode(304);
        loaded.given().header("If-None-Match", filtered).get("/ratios/weekly").then().statusCode(200);
    }

    @Test
    void wrongFiltersAreProblems() {
        loaded.given().queryParam("state", "PR").get("/ratios/weekly").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/unknown-state"))
            .body("detail", containsString("No state 'PR'"));
        for (String state : List.of("N;Y", "", "NY,,IL", "12")) {
            loaded.given().queryParam("state", state).get("/ratios/weekly").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-state"));
        }
        for (String date : List.of("2021-13-01", "2021-1-4", "yesterday", "")) {
            for (String bound : List.of("from", "to")) {
                loaded.given().queryParam(bound, date).get("/ratios/weekly").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("/problems/invalid-week-range"))
                    .body("title", equalTo("Invalid week range"))
                    .body("detail", equalTo(bound + " '" + date + "' is not a date: use a real calendar date "
                        + "written YYYY-MM-DD, such as 2021-01-04"));
            }
        }
        loaded.given().queryParam("from", "2021-01-04").queryParam("to", "2020-12-28").get("/ratios/weekly").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-week-range"))
            .body("detail", equalTo("from 2021-01-04 is after to 2020-12-28: no week can be in between"));
        loaded.given().queryParam("to", "2021-01-04", "2021-01-11").get("/ratios/weekly").then()
            .statusCode(400).body("detail", containsString("to is given 2 times"));
        loaded.given().queryParam("format", "xml").get("/ratios/weekly").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-format"));
    }

    @Test
    void beforeAnyRefreshThereAreNoWeeks() {
        empty.given().get("/ratios/weekly").then()
            .statusCode(200).body(equalTo("[]")).header("Last-Modified", nullValue())
            .header("ETag", not(emptyString()));
        empty.given().queryParam("format", "csv").get("/ratios/weekly").then()
            .statusCode(200)
            .body(equalTo("state,state_code,week,doses_moderna,doses_pfizer,doses_total,people_per_dose\r\n"));
        empty.given().queryParam("state", "NY").get("/ratios/weekly").then()
            .statusCode(404).body("type", equalTo("/problems/no-data"));
    }
}
