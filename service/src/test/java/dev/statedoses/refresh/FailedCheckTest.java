package dev.statedoses.refresh;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.SchemaCheck;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A hard data check that fails fails the refresh, end to end: 422 /problems/check-failed, the
 * product rolled back to what it was, the run recorded failed with the check's detail and with
 * every check it ran. No source input can make a hard check fail (the sources are validated
 * before the build), and a reference changed by hand refuses the refresh before it builds
 * (warehouse/SchemaCheck); but a newer build's migration can change the reference under an
 * instance of this one (an upgrade under way), which does not judge a schema newer than its own:
 * here it added a 52nd "state" to dwh.jurisdictions, and the population file has a county for it,
 * so the product has 52 rows.
 */
class FailedCheckTest {

    private static final String ROW_COUNT = "dwh.state_doses has 52 rows, expected 51 (the 50 states and DC)";

    @Test
    void aFailedCheckRollsTheRefreshBackAndIsRecorded() {
        String atlantisCounty = new String(Fixtures.bytes("county_population.csv"), StandardCharsets.UTF_8)
            + "0500000US99001,99001,Fixture,Atlantis,777\n";
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = ConfigBuilder.from(TestWarehouse.newDatabase()).sources(
                upstream.serveFixture("/moderna.csv", "moderna.csv"),
                upstream.serveFixture("/pfizer.csv", "pfizer.csv"),
                upstream.serveFixture("/County_Population.csv", "county_population.csv")).build();
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                String productBefore = app.given().get("/ratios").asString();

                int newer = SchemaCheck.ofMigrations().version() + 1;
                app.wiring().warehouse().jdbi().useHandle(h -> h.execute(
                    "insert into dwh.jurisdictions (name, kind, state_code) values ('Atlantis', 'state', 'AT'); "
                        + "insert into dwh.flyway_schema_history (installed_rank, version, description, type, "
                        + "script, checksum, installed_by, execution_time, success) values (" + newer + ", '"
                        + newer + "', 'atlantis', 'SQL', 'V" + newer + "__atlantis.sql', 0, 'newer build', 1, true)"));
                upstream.serve("/County_Population.csv", atlantisCounty.getBytes(StandardCharsets.UTF_8));

                app.given().post("/refresh").then()
                    .statusCode(422).contentType("application/problem+json")
                    .body("type", equalTo("/problems/check-failed"))
                    .body("title", equalTo("Data check failed"))
                    .body("status", equalTo(422))
                    .body("detail", equalTo("data check failed: row_count: " + ROW_COUNT))
                    .body("checks.name", contains("row_count"))
                    .body("checks.status", contains("fail"))
                    .body("checks.detail", contains(ROW_COUNT));

                assertEquals(productBefore, app.given().get("/ratios").asString(), "the product changed");
                app.given().get("/refreshes/2").then()
                    .statusCode(200)
                    .body("status", equalTo("failed"))
                    .body("error", equalTo("data check failed: row_count: " + ROW_COUNT))
                    .body("state_rows", equalTo(null))
                    .body("sources.source", contains("moderna", "pfizer", "population"))
                    .body("sources.rows", contains(8, 7, 54))
                    .body("checks.name", contains("unique_state", "unique_state_code", "not_null",
                        "accepted_values_jurisdiction", "row_count", "reconciliation", "completeness_moderna",
                        "completeness_pfizer", "allocation_coverage", "plausible_weeks", "plausible_people_per_dose",
                        "plausible_population", "derived_values"))
                    // Atlantis is known now (as a state), so its 10 pfizer doses are in a state row.
                    .body("checks.status", contains("pass", "pass", "pass", "pass", "fail", "pass", "warn", "pass",
                        "warn", "pass", "warn", "warn", "pass"))
                    .body("checks[4].detail", equalTo(ROW_COUNT))
                    .body("checks[5].detail", equalTo("13930 doses in the sources = 11810 in state rows + 2120 excluded"));
                app.given().get("/refreshes").then().body("status", contains("failed", "succeeded"));
            }
        }
    }
}
