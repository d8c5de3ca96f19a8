package dev.statedoses.product;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.statedoses.support.AppOnNewDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A newly started service on an empty warehouse: nothing to show yet, and it says so. */
class BeforeFirstRefreshTest {

    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    @Test
    void ratiosIsAnEmptyArray() {
        empty.given().get("/ratios").then()
            .statusCode(200).contentType("application/json")
            .body(equalTo("[]"));
    }

    @Test
    void aStateIsNotFoundBecauseNothingIsLoaded() {
        empty.given().get("/ratios/NY").then()
            .statusCode(404).contentType("application/problem+json")
            .body("type", equalTo("/problems/no-data"))
            .body("title", equalTo("No data yet"))
            .body("status", equalTo(404))
            .body("detail", containsString("No data has been loaded yet"));
    }

    @Test
    void anUnknownPathIsAProblemToo() {
        empty.given().get("/nothing-here").then()
            .statusCode(404).contentType("application/problem+json")
            .body("status", equalTo(404))
            .body("title", equalTo("Not Found"));
    }

    @Test
    void aRequestTheServerRejectsBeforeRoutingIsAProblemToo() {
        empty.given().header("X-Padding", "a".repeat(20_000)).get("/ratios").then()
            .statusCode(431).contentType("application/problem+json")
            .header("X-Content-Type-Options", "nosniff")
            .body("type", equalTo("/problems/http-431"))
            .body("title", equalTo("Request Header Fields Too Large"));
    }
}
