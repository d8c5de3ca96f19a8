package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.LoadedProduct;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh's report and the run log say the same of the run, to the character: a client that
 * keeps the report's {@code finished_at} finds the run by it. The warehouse keeps microseconds;
 * a report that carried the nanoseconds of the monotonic clock gave another instant than the run
 * log for the same end.
 */
class ReportedRunTimesTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void theReportsTimesAreTheRunLogsOwn() {
        // Forced (built) and unforced (unchanged) runs: each path writes its end.
        for (String force : List.of("true", "true", "false", "true", "false")) {
            JsonPath report = loaded.given().queryParam("force", force).post("/refresh")
                .then().statusCode(200).extract().jsonPath();
            long run = report.getLong("run_id");
            JsonPath stored = loaded.given().get("/refreshes/" + run).then().statusCode(200).extract().jsonPath();
            for (String field : List.of("status", "started_at", "finished_at", "duration_ms")) {
                assertEquals(stored.getString(field), report.getString(field), "run " + run + ": " + field);
            }
            // The run log's state_rows are the rows the run built: none for an unchanged run, whose
            // report gives the kept product's figures (openapi.yaml, RefreshReport and RefreshRun).
            assertEquals("true".equals(force) ? "51" : null, stored.getString("state_rows"), "run " + run);
            assertEquals(51, report.getInt("state_rows"), "run " + run);
        }
    }
}
