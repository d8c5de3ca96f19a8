package dev.statedoses.product;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** CSV for spreadsheets, ETag and Last-Modified for dashboards, and any order. Numbers: fixtures/README.md. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormatsAndCachingTest {

    private FixtureServer upstream;
    private RunningApp app;
    private String refreshedAt;

    @BeforeAll
    void refreshOnce() {
        upstream = FixtureServer.start();
        app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()));
        app.given().get("/ratios").then().statusCode(200).body(equalTo("[]"))
            .header("ETag", matchesPattern("\"[0-9a-f]{32}\""))
            .header("Last-Modified", nullValue());
        app.given().post("/refresh").then().statusCode(200);
        refreshedAt = app.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void csvHasAHeaderRowAndTheSameFields() {
        String header = "state,state_code,population,doses_moderna,doses_pfizer,doses_total,people_per_dose,refreshed_at";
        String byAccept = app.given().header("Accept", "text/csv").get("/ratios").then()
            .statusCode(200).contentType("text/csv; charset=utf-8").extract().asString();
        String byParameter = app.given().queryParam("format", "csv").get("/ratios").then()
            .statusCode(200).extract().asString();
        assertEquals(byAccept, byParameter);
        List<String> lines = List.of(byAccept.split("\r\n"));
        assertEquals(52, lines.size());
        assertEquals(header, lines.get(0));
        assertEquals("Alabama,AL,10000,0,0,0,," + refreshedAt, lines.get(1));
        assertEquals("New York,NY,6000,3500,4000,7500,0.8000," + refreshedAt,
            lines.stream().filter(l -> l.startsWith("New York,")).findFirst().orElseThrow());
        assertEquals(header + "\r\nVermont,VT,1234,600,100,700,1.7629," + refreshedAt + "\r\n",
            app.given().queryParam("format", "csv").get("/ratios/vt").asString());
    }

    @Test
    void acceptWeightsDecideTheFormat() {
        // The snapshot's fast path (/ratios/vt) and a route (weekly) read Accept alike.
        for (String path : List.of("/ratios/vt", "/ratios/VT/weekly")) {
            app.given().header("Accept", "text/csv;q=0, application/json").get(path).then()
                .statusCode(200).contentType("application/json");
            app.given().header("Accept", "text/csv, application/json").get(path).then()
                .statusCode(200).contentType("application/json");
            app.given().header("Accept", "application/json;q=0.5, text/*").get(path).then()
                .statusCode(200).contentType("text/csv; charset=utf-8");
        }
    }

    @Test
    void anAcceptOfSeparatorsOnlyIsIgnored() {
        // It was a 500 on every ratios route: the element ";;;" split into no parts at all.
        for (String path : List.of("/ratios", "/ratios/weekly", "/ratios/vt", "/ratios/VT/weekly")) {
            app.given().header("Accept", ";;;").get(path).then()
                .statusCode(200).contentType("application/json");
            app.given().header("Accept", "; , text/csv;;").get(path).then()
                .statusCode(200).contentType("text/csv; charset=utf-8");
        }
        assertEquals("1.7629",
            app.given().header("Accept", ";").get("/ratios/vt").jsonPath().getString("people_per_dose"));
    }

    @Test
    void weeklyComesAsCsvToo() {
        assertEquals("week,doses_moderna,doses_pfizer,doses_total,people_per_dose\r\n"
                + "2020-12-28,700,0,700,8.5714\r\n"
                + "2021-01-04,2800,4000,7500,0.8000\r\n",
            app.given().header("Accept", "text/csv").get("/ratios/NY/weekly").asString());
    }

    @Test
    void anotherFormatIsABadRequest() {
        app.given().queryParam("format", "xml").get("/ratios").then()
            .statusCode(400).contentType("application/problem+json")
            .body("type", equalTo("/problems/invalid-format"))
            .body("detail", equalTo("format must be csv or json, not 'xml'"));
    }

    @Test
    void aClientThatHasTheProductGetsNotModified() {
        Response first = app.given().get("/ratios");
        String etag = first.header("ETag");
        // IMF-fixdate: a two-digit day ("Thu, 03 Dec 2026 ..."), as RFC 9110 wants.
        String lastModified = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).format(
            Instant.parse(refreshedAt).truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC));
        first.then().header("Cache-Control", "no-cache").header("Last-Modified", lastModified)
            .header("Vary", "Accept");
        assertEquals(etag, app.given().get("/ratios").header("ETag"), "the same product, the same ETag");

        app.given().header("If-None-Match", etag).get("/ratios").then()
            .statusCode(304).body(emptyString()).header("ETag", etag)
            .header("Content-Type", "application/json");
        app.given().header("Accept-Encoding", "gzip").get("/ratios").then()
            .header("Content-Encoding", nullValue()).header("ETag", etag);
        app.given().header("If-None-Match", "\"other\", W/" + etag).get("/ratios").then().statusCode(304);
        app.given().header("If-None-Match", "\"other\"").get("/ratios").then().statusCode(200);
        app.given().header("If-Modified-Since", lastModified).get("/ratios").then().statusCode(304);
        app.given().header("If-Modified-Since", "Mon, 04 Jan 2021 00:00:00 GMT").get("/ratios").then()
            .statusCode(200);

        assertNotEquals(etag, app.given().header("Accept", "text/csv").get("/ratios").header("ETag"),
            "CSV is another representation");
        String ny = app.given().get("/ratios/NY").header("ETag");
        app.given().header("If-None-Match", ny).get("/ratios/NY").then().statusCode(304);
        app.given().header("If-None-Match", ny).get("/ratios/NY?as_of=2020-12-31").then().statusCode(200);
    }

    @Test
    void theEtagChangesWhenTheProductDoes() throws InterruptedException {
        String before = app.given().get("/ratios/AK").header("ETag");
        // A new build, in a later second than the one it replaces: built in the same second, it would
        // share its Last-Modified, and If-Modified-Since alone would earn no 304 (LastModifiedTest).
        long nextSecond = Instant.parse(refreshedAt).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).toEpochMilli();
        Thread.sleep(Math.max(0, nextSecond - System.currentTimeMillis()));
        app.given().queryParam("force", "true").post("/refresh").then().statusCode(200);
        app.given().header("If-None-Match", before).get("/ratios/AK").then()
            .statusCode(200).header("ETag", not(equalTo(before)));
        refreshedAt = app.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
    }

    @Test
    void ratiosSortByAnyFieldWithoutDosesLast() {
        List<String> ascending = app.given().queryParam("sort", "people_per_dose").get("/ratios")
            .jsonPath().getList("state_code", String.class);
        assertEquals(List.of("NY", "IL", "VT", "AL", "AK", "AZ"), ascending.subList(0, 6));
        List<String> descending = app.given().queryParam("sort", "people_per_dose").queryParam("order", "desc")
            .get("/ratios").jsonPath().getList("state_code", String.class);
        assertEquals(List.of("VT", "IL", "NY", "AL", "AK"), descending.subList(0, 5));
        List<String> byPopulation = app.given().queryParam("sort", "population").queryParam("order", "desc")
            .get("/ratios").jsonPath().getList("state_code", String.class);
        assertEquals(List.of("AL", "AZ"), byPopulation.subList(0, 2));
        assertEquals(List.of("NY", "IL", "VT", "AK"), byPopulation.subList(47, 51));
        assertEquals("NY,IL,VT", String.join(",", app.given().queryParam("sort", "doses_total")
            .queryParam("order", "desc").queryParam("format", "csv").get("/ratios").asString().lines()
            .skip(1).limit(3).map(l -> l.split(",")[1]).toList()));
    }

    @Test
    void anUnknownSortOrOrderIsABadRequest() {
        app.given().queryParam("sort", "refreshed_at").get("/ratios").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-sort"));
        app.given().queryParam("sort", "state").queryParam("order", "up").get("/ratios").then()
            .statusCode(400).body("type", equalTo("/problems/invalid-order"))
            .body("detail", equalTo("order must be asc or desc, not 'up'"));
    }
}
