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

import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.LoadedProduct;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The product as of a week (GET /ratios?as_of=, GET /ratios/{state}?as_of=) and week by week
 * (GET /ratios/{state}/weekly, dwh.state_doses_weekly), end to end over the fixture sources.
 *
 * <p>The fixtures (src/test/resources/fixtures/README.md) have two allocation weeks: 2020-12-28
 * (Moderna only: New York 500 + 0, New York City 100 + 100) and 2021-01-04 (everything else). So:
 * <pre>
 * New York, population 5000 + 1000 = 6000
 *   2020-12-28  moderna NY 500 + 0 + NYC 100 + 100 = 700, pfizer 0,  cumulative 700,
 *               6000 / 700 = 8.571428... = 8.5714
 *   2021-01-04  moderna NY 1000 + 1000 + NYC 400 + 400 = 2800, pfizer NY 2000 + 2000 = 4000,
 *               cumulative 700 + 2800 + 4000 = 7500, 6000 / 7500 = 0.8000
 * Illinois, population 3000
 *   2020-12-28  no rows: 0, 0, cumulative 0, null
 *   2021-01-04  moderna 0, pfizer IL 1200 + 1200 + Chicago 600 + 600 = 3600, cumulative 3600,
 *               3000 / 3600 = 0.8333
 * Vermont, population 1234
 *   2020-12-28  0, 0, 0, null
 *   2021-01-04  moderna 300 + 300 = 600, pfizer 100 + 0 = 100, cumulative 700, 1234 / 700 = 1.7629
 * Alaska, population 900: 0 in both weeks (2021-01-04 is a real 0/0 row), null
 * </pre>
 */
class AsOfAndWeeklyTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** A second service on an empty warehouse: before any refresh. */
    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    // --- GET /ratios/{state}/weekly ---------------------------------------------------------------

    @Test
    void weeklyHasEveryWeekWithThatWeeksDosesAndTheCumulativeRatio() {
        loaded.given().config(DECIMALS).get("/ratios/NY/weekly").then()
            .statusCode(200).contentType("application/json")
            .header("X-Content-Type-Options", "nosniff")
            .body("$", hasSize(2))
            .body("week", contains("2020-12-28", "2021-01-04"))
            // 500 + 0 + 100 + 100 = 700; then 1000 + 1000 + 400 + 400 = 2800
            .body("doses_moderna", contains(700, 2800))
            // Pfizer allocates nothing in 2020-12-28; then 2000 + 2000 = 4000
            .body("doses_pfizer", contains(0, 4000))
            // cumulative, both manufacturers: 700; 700 + 2800 + 4000 = 7500
            .body("doses_total", contains(700, 7500))
            // 6000 / 700 = 8.5714; 6000 / 7500 = 0.8000
            .body("people_per_dose[0]", comparesEqualTo(new BigDecimal("8.5714")))
            .body("people_per_dose[1]", comparesEqualTo(new BigDecimal("0.8000")));
    }

    @Test
    void weeklyJsonHasExactlyTheDocumentedFields() {
        Map<String, Object> week = loaded.given().get("/ratios/NY/weekly").then().statusCode(200)
            .extract().jsonPath().getMap("[0]");
        assertEquals(List.of("week", "doses_moderna", "doses_pfizer", "doses_total", "people_per_dose"),
            List.copyOf(week.keySet()));
    }

    @Test
    void aStateWithoutRowsInAWeekHasZeroThatWeekAndCarriesItsTotalForward() {
        // Illinois has no row in 2020-12-28: 0 and a null ratio; then Chicago 1200 + IL 2400 = 3600,
        // 3000 / 3600 = 0.8333.
        loaded.given().config(DECIMALS).get("/ratios/il/weekly").then()
            .statusCode(200)
            .body("week", contains("2020-12-28", "2021-01-04"))
            .body("doses_moderna", contains(0, 0))
            .body("doses_pfizer", contains(0, 3600))
            .body("doses_total", contains(0, 3600))
            .body("people_per_dose[0]", nullValue())
            .body("people_per_dose[1]", comparesEqualTo(new BigDecimal("0.8333")));
        // Vermont: 0 then 600 + 100 = 700, 1234 / 700 = 1.762857... = 1.7629
        loaded.given().config(DECIMALS).pathParam("state", "Vermont").get("/ratios/{state}/weekly").then()
            .statusCode(200)
            .body("doses_moderna", contains(0, 600))
            .body("doses_pfizer", contains(0, 100))
            .body("doses_total", contains(0, 700))
            .body("people_per_dose[1]", comparesEqualTo(new BigDecimal("1.7629")));
        // Alaska: a real 0/0 row in 2021-01-04, none in 2020-12-28: 0 and null in both.
        loaded.given().get("/ratios/AK/weekly").then()
            .statusCode(200)
            .body("week", contains("2020-12-28", "2021-01-04"))
            .body("doses_total", contains(0, 0))
            .body("people_per_dose", contains(nullValue(), nullValue()));
    }

    @Test
    void weeklyOfAnUnknownOrMalformedStateIsAProblem() {
        loaded.given().get("/ratios/PR/weekly").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/unknown-state"))
            .body("detail", containsString("No state 'PR'"));
        loaded.given().pathParam("state", "N;Y").get("/ratios/{state}/weekly").then()
            .statusCode(400).contentType("application/problem+json")
            .body("type", equalTo("/problems/invalid-state"));
    }

    // --- as_of ------------------------------------------------------------------------------------

    @Test
    void asOfTheFirstWeekCountsOnlyItsAllocations() {
        // 2020-12-31: only the week of 2020-12-28. New York 700 Moderna, 6000 / 700 = 8.5714.
        for (String key : List.of("NY", "new york")) {
            loaded.given().config(DECIMALS).pathParam("state", key).queryParam("as_of", "2020-12-31")
                .get("/ratios/{state}").then()
                .statusCode(200).contentType("application/json")
                .body("state", equalTo("New York"))
                .body("state_code", equalTo("NY"))
                .body("population", equalTo(6000))
                .body("doses_moderna", equalTo(700))
                .body("doses_pfizer", equalTo(0))
                .body("doses_total", equalTo(700))
                .body("people_per_dose", comparesEqualTo(new BigDecimal("8.5714")));
        }
        // Illinois and Vermont have nothing before 2021-01-04.
        loaded.given().queryParam("as_of", "2020-12-31").get("/ratios/IL").then()
            .statusCode(200).body("population", equalTo(3000)).body("doses_total", equalTo(0))
            .body("people_per_dose", nullValue());
        // In the whole list, New York's 700 are the only doses by then.
        loaded.given().queryParam("as_of", "2020-12-31").get("/ratios").then()
            .statusCode(200)
            .body("$", hasSize(51))
            .body("doses_total.sum()", equalTo(700))
            .body("findAll { it.doses_total > 0 }.state_code", contains("NY"));
    }

    @Test
    void theDayOfAWeekIsIncludedAndTheDayBeforeIsNot() {
        loaded.given().queryParam("as_of", "2020-12-28").get("/ratios/NY").then()
            .statusCode(200).body("doses_total", equalTo(700));
        loaded.given().queryParam("as_of", "2020-12-27").get("/ratios/NY").then()
            .statusCode(200).body("doses_total", equalTo(0)).body("people_per_dose", nullValue());
        // 2021-01-03 is still only the first week; 2021-01-04 adds 2800 + 4000: 7500.
        loaded.given().queryParam("as_of", "2021-01-03").get("/ratios/NY").then()
            .statusCode(200).body("doses_total", equalTo(700));
        loaded.given().queryParam("as_of", "2021-01-04").get("/ratios/NY").then()
            .statusCode(200).body("doses_total", equalTo(7500));
    }

    @Test
    void beforeTheFirstWeekEveryStateHasNoDosesAndNoRatio() {
        // Populations stay: 6000 (NY) + 3000 (IL) + 1234 (VT) + 900 (AK) + 47 x 10000 = 481134.
        loaded.given().queryParam("as_of", "2020-12-01").get("/ratios").then()
            .statusCode(200).contentType("application/json")
            .body("$", hasSize(51))
            .body("doses_moderna", everyItem(equalTo(0)))
            .body("doses_pfizer", everyItem(equalTo(0)))
            .body("doses_total", everyItem(equalTo(0)))
            .body("people_per_dose", everyItem(nullValue()))
            .body("population.sum()", equalTo(481134))
            .body("[0].state", equalTo("Alabama"))
            .body("[50].state", equalTo("Wyoming"));
        // The earliest dates ISO 8601 writes in ten characters (0000 is the year 1 BC) are dates too.
        for (String date : List.of("0001-01-01", "0000-01-01")) {
            loaded.given().queryParam("as_of", date).get("/ratios/VT").then()
                .statusCode(200).body("population", equalTo(1234)).body("doses_total", equalTo(0));
        }
    }

    @Test
    void asOfTheLastWeekOrLaterIsTheProductItself() {
        String now = loaded.given().get("/ratios").then().statusCode(200).extract().asString();
        for (String date : List.of("2021-01-04", "2021-06-30", "9999-12-31")) {
            assertEquals(now, loaded.given().queryParam("as_of", date).get("/ratios").then()
                .statusCode(200).extract().asString(), "as_of=" + date);
        }
        String newYork = loaded.given().get("/ratios/NY").then().statusCode(200).extract().asString();
        assertEquals(newYork, loaded.given().queryParam("as_of", "2021-01-04").get("/ratios/NY").then()
            .statusCode(200).extract().asString());
    }

    @Test
    void aMalformedAsOfIsABadRequest() {
        String tooLong = "2021-01-04".repeat(20); // 200 characters
        for (String value : List.of("2021-13-01", "yesterday", "2021-1-4", tooLong, "2021-02-30", "",
                "2021-01-04T00:00:00", "20210104", " 2021-01-04", "+2021-01-04", "2021/01/04", "04-01-2021")) {
            for (String path : List.of("/ratios", "/ratios/NY")) {
                loaded.given().queryParam("as_of", value).get(path).then()
                    .statusCode(400).contentType("application/problem+json")
                    .header("X-Content-Type-Options", "nosniff")
                    .body("type", equalTo("/problems/invalid-as-of"))
                    .body("title", equalTo("Invalid as_of"))
                    .body("status", equalTo(400))
                    .body("detail", containsString("YYYY-MM-DD"));
            }
        }
        loaded.given().queryParam("as_of", "2021-13-01").get("/ratios").then()
            .body("detail", equalTo("as_of '2021-13-01' is not a date: use a real calendar date written "
                + "YYYY-MM-DD, such as 2021-01-04"));
        // A long value is cut in the detail, not echoed whole; the detail says how long it was.
        loaded.given().queryParam("as_of", tooLong).get("/ratios").then()
            .body("detail", containsString("'" + tooLong.substring(0, 40) + "… (200 characters)'"));
        loaded.given().queryParam("as_of", "2021-01-04", "2020-12-28").get("/ratios").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-as-of"))
            .body("detail", containsString("given 2 times"));
    }

    @Test
    void asOfKeepsTheStateErrors() {
        loaded.given().queryParam("as_of", "2020-12-31").get("/ratios/PR").then()
            .statusCode(404).body("type", equalTo("/problems/unknown-state"));
        loaded.given().queryParam("as_of", "2020-12-31").pathParam("state", "N;Y").get("/ratios/{state}").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-state"));
    }

    // --- before any refresh -----------------------------------------------------------------------

    @Test
    void beforeAnyRefreshTheNewReadsSayThereIsNoData() {
        empty.given().get("/ratios/NY/weekly").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/no-data"));
        empty.given().queryParam("as_of", "2021-01-04").get("/ratios/NY").then()
            .statusCode(404).body("type", equalTo("/problems/no-data"));
        empty.given().queryParam("as_of", "2021-01-04").get("/ratios").then()
            .statusCode(200).body(equalTo("[]"));
        // The date is checked first, data or not.
        empty.given().queryParam("as_of", "yesterday").get("/ratios").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-as-of"));
    }

    // --- the table, as analysts read it with psql -------------------------------------------------

    @Test
    void theWeeklyTableHasEveryStateInEveryWeekAndAddsUpToTheProduct() {
        Jdbi jdbi = loaded.app().wiring().warehouse().jdbi();
        // 51 states and DC x 2 weeks
        int rows = jdbi.withHandle(h -> h.createQuery("select count(*) from dwh.state_doses_weekly")
            .mapTo(Integer.class).one());
        assertEquals(102, rows);
        assertEquals(List.of(java.time.LocalDate.parse("2020-12-28"), java.time.LocalDate.parse("2021-01-04")),
            jdbi.withHandle(h -> h.createQuery("""
                    select week from dwh.state_doses_weekly group by week having count(*) = 51 order by week""")
                .mapTo(java.time.LocalDate.class).list()));
        // For every state, the last week's cumulative doses are the product's doses, and both tables
        // come from the same refresh (run and refreshed_at). No row may differ.
        List<Map<String, Object>> differing = jdbi.withHandle(h -> h.createQuery("""
                select s.state, s.doses_total, w.doses_total_cumulative
                from dwh.state_doses s
                join dwh.state_doses_weekly w on w.state = s.state and w.week = date '2021-01-04'
                where w.doses_total_cumulative <> s.doses_total
                   or w.doses_moderna_cumulative <> s.doses_moderna
                   or w.doses_pfizer_cumulative <> s.doses_pfizer
                   or w.people_per_dose is distinct from s.people_per_dose
                   or w.state_code <> s.state_code
                   or w.run_id <> s.run_id
                   or w.refreshed_at <> s.refreshed_at""")
            .mapToMap().list());
        assertEquals(List.of(), differing);
        int lastWeeks = jdbi.withHandle(h -> h.createQuery("""
                select count(*) from dwh.state_doses s
                join dwh.state_doses_weekly w on w.state = s.state and w.week = date '2021-01-04'""")
            .mapTo(Integer.class).one());
        assertEquals(51, lastWeeks);
        // New York in psql: the numbers of the API.
        List<Map<String, Object>> newYork = jdbi.withHandle(h -> h.createQuery("""
                select week::text as week, doses_moderna, doses_pfizer, doses_moderna_cumulative,
                       doses_pfizer_cumulative, doses_total_cumulative, people_per_dose
                from dwh.state_doses_weekly where state_code = 'NY' order by week""")
            .mapToMap().list());
        assertEquals(List.of(
            Map.of("week", "2020-12-28", "doses_moderna", 700L, "doses_pfizer", 0L,
                "doses_moderna_cumulative", 700L, "doses_pfizer_cumulative", 0L,
                "doses_total_cumulative", 700L, "people_per_dose", new BigDecimal("8.5714")),
            Map.of("week", "2021-01-04", "doses_moderna", 2800L, "doses_pfizer", 4000L,
                "doses_moderna_cumulative", 3500L, "doses_pfizer_cumulative", 4000L,
                "doses_total_cumulative", 7500L, "people_per_dose", new BigDecimal("0.8000"))), newYork);
    }

    @Test
    void asOfAnswersCarryTheProductsRefreshTime() {
        String refreshedAt = loaded.given().get("/ratios/NY").then().extract().path("refreshed_at");
        loaded.given().queryParam("as_of", "2020-12-01").get("/ratios").then()
            .body("refreshed_at", everyItem(equalTo(refreshedAt)));
        loaded.given().queryParam("as_of", "2020-12-31").get("/ratios/NY").then()
            .body("refreshed_at", equalTo(refreshedAt));
    }
}
