package dev.statedoses.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A refresh that finds every source unchanged is a successful check of the sources: /health and
 * the last-success metrics move to it (else, with historical sources that never change, the
 * staleness alert on {@code time() - state_doses_refresh_last_success_timestamp_seconds} fires
 * although every refresh works), and it is counted under its own status. The product and its
 * refreshed_at stay those of the run that built it.
 */
class UnchangedRunHealthAndMetricsTest {

    @Test
    void anUnchangedRunIsTheLastSuccessAndIsCountedUnderItsOwnStatus() {
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()))) {
            app.given().post("/refresh").then().statusCode(200).body("run_id", equalTo(1))
                .body("status", equalTo("succeeded"));
            String refreshedAt = app.given().get("/ratios/NY").jsonPath().getString("refreshed_at");
            app.given().get("/health").then().statusCode(200)
                .body("last_successful_refresh.run_id", equalTo(1))
                .body("last_successful_refresh.status", equalTo("succeeded"));

            // The fixture upstream serves the same bytes again: they hash as before.
            app.given().post("/refresh").then().statusCode(200).body("run_id", equalTo(2))
                .body("status", equalTo("unchanged"));

            Instant finished = finishedAt(app, 2);
            String healthFinished = app.given().get("/health").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("last_successful_refresh.run_id", equalTo(2))
                .body("last_successful_refresh.status", equalTo("unchanged"))
                .extract().path("last_successful_refresh.finished_at");
            assertEquals(finished, Instant.parse(healthFinished), "run 2's finished_at as recorded");

            String metrics = app.given().get("/metrics").then().statusCode(200).extract().asString();
            assertEquals(finished.toEpochMilli() / 1000.0,
                MetricsTest.value(metrics, "state_doses_refresh_last_success_timestamp_seconds", Map.of()), 0.001);
            assertEquals(2.0, MetricsTest.value(metrics, "state_doses_refresh_last_success_run", Map.of()));
            assertEquals(1.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total", Map.of("status", "succeeded")));
            assertEquals(1.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total", Map.of("status", "unchanged")));
            assertEquals(0.0, MetricsTest.value(metrics, "state_doses_refresh_runs_total", Map.of("status", "failed")));
            assertEquals(1.0, MetricsTest.value(metrics, "state_doses_refresh_duration_seconds_count",
                Map.of("status", "unchanged")));
            // The rows of each source in the product: the unchanged run kept the first one's.
            assertEquals(8.0, MetricsTest.value(metrics, "state_doses_source_rows", Map.of("source", "moderna")));
            assertEquals(7.0, MetricsTest.value(metrics, "state_doses_source_rows", Map.of("source", "pfizer")));
            assertEquals(53.0, MetricsTest.value(metrics, "state_doses_source_rows", Map.of("source", "population")));

            // The product itself was not rebuilt: its refreshed_at is still run 1's.
            assertEquals(refreshedAt, app.given().get("/ratios/NY").jsonPath().getString("refreshed_at"));
        }
    }

    private static Instant finishedAt(RunningApp app, long runId) {
        return app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select finished_at from dwh.refresh_runs where run_id = :run")
            .bind("run", runId).mapTo(Instant.class).one());
    }
}
