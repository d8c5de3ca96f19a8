package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.UnivocityCsv;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.WarehouseClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A service whose clock is off from the warehouse's (a container without NTP, a VM resumed): the
 * run log holds the warehouse's times only. With each instance's own, an instance a year ahead
 * wrote runs that ended in a year's time and claimed the schedule's instants until then: every
 * other instance's schedule found the instant claimed, or a refresh "succeeded since", and never
 * ran, while GET /health named that run the last success, so the alert on its age could not fire.
 */
class ClocksApartTest {

    /** A refresh by a service whose clock is a year, a day or an hour off is timed on the warehouse's clock. */
    @Test
    void aRunIsTimedOnTheWarehousesClockWhateverTheServicesSays() {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config);
                 SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1 << 20, "test")) {
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                UnivocityCsv csv = new UnivocityCsv();
                for (Duration off : new Duration[] {Duration.ofDays(365), Duration.ofDays(-1), Duration.ofHours(-1)}) {
                    RefreshService skewed = new RefreshService(jdbi, fetcher, new AllocationCsv(csv),
                        new CountyPopulationCsv(csv), Map.of(SourceName.MODERNA, config.modernaUrl(),
                            SourceName.PFIZER, config.pfizerUrl(), SourceName.POPULATION, config.countyPopulationUrl()),
                        Clock.offset(Clock.systemUTC(), off));
                    Instant before = warehouseNow(jdbi);
                    RefreshReport report = skewed.refresh(Trigger.API, true, run -> { });
                    Instant after = warehouseNow(jdbi);
                    assertEquals(RefreshReport.SUCCEEDED, report.status(), off.toString());

                    Map<String, Object> row = jdbi.withHandle(h -> h.createQuery(
                            "select started_at, finished_at from dwh.refresh_runs where run_id = :run")
                        .bind("run", report.runId()).mapToMap().one());
                    Instant started = ((java.sql.Timestamp) row.get("started_at")).toInstant();
                    Instant finished = ((java.sql.Timestamp) row.get("finished_at")).toInstant();
                    assertFalse(started.isBefore(before) || finished.isAfter(after.plusMillis(1)),
                        off + ": " + started + " to " + finished + ", outside the warehouse's " + before + " to " + after);
                    assertFalse(finished.isBefore(started), off.toString());
                    long millis = Duration.between(before, after).toMillis();
                    assertTrue(report.durationMs() >= 0 && report.durationMs() <= millis,
                        off + ": " + report.durationMs() + " ms in " + millis);
                    app.given().get("/refreshes/" + report.runId()).then().statusCode(200)
                        .body("duration_ms", equalTo((int) Duration.between(started, finished).toMillis()));
                    report.sources().forEach(source -> assertTrue(source.loadMs() >= 0 && source.loadMs() <= millis,
                        off + ": " + source));
                }
            }
        }
    }

    /**
     * What an instance a year ahead left behind (its claim of an instant a year away, and a run
     * that ended then) stops no schedule on the warehouse's clock, and is not the last success.
     */
    @Test
    void whatAClockAheadLeftStopsNoScheduleAndIsNotTheLastSuccess() throws InterruptedException {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            // No REFRESH_INTERVAL: the app runs no schedule of its own; this test's scheduler is the one.
            try (RunningApp app = RunningApp.start(config)) {
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                long ahead = jdbi.withHandle(h -> {
                    h.execute("insert into dwh.refresh_schedule (singleton, last_tick, claimed_by, claimed_at) "
                        + "values (true, date_trunc('hour', now()) + interval '1 year', 'ahead pid 1', now())");
                    return h.createQuery("insert into dwh.refresh_runs (status, started_at, finished_at, trigger, build, "
                            + "state_rows) values ('succeeded', now() + interval '1 year', "
                            + "now() + interval '1 year 1 second', 'schedule', 'ahead', 51) returning run_id")
                        .mapTo(Long.class).one();
                });
                try (RefreshScheduler scheduler = new RefreshScheduler(jdbi, app.wiring().refreshes(),
                        Duration.ofHours(1), new WarehouseClock(jdbi))) {
                    scheduler.start();
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (scheduler.count(RefreshScheduler.Outcome.RAN) < 1) {
                        assertEquals(0, scheduler.count(RefreshScheduler.Outcome.ELSEWHERE), "the claim a year ahead held");
                        assertEquals(0, scheduler.count(RefreshScheduler.Outcome.FRESH), "the run a year ahead counted");
                        assertTrue(System.nanoTime() < deadline, "the schedule did not run");
                        Thread.sleep(50);
                    }
                }
                long ran = jdbi.withHandle(h -> h.createQuery("select run_id from dwh.refresh_runs "
                    + "where status = 'succeeded' and run_id <> :ahead").bind("ahead", ahead).mapTo(Long.class).one());
                app.given().get("/health").then().statusCode(200)
                    .body("last_successful_refresh.run_id", equalTo((int) ran));
                app.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
            }
        }
    }

    private static Instant warehouseNow(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select clock_timestamp()").mapTo(OffsetDateTime.class).one())
            .toInstant();
    }
}
