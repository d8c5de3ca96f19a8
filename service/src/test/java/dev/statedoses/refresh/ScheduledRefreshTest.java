package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * REFRESH_INTERVAL with two instances on one warehouse: each scheduled instant is refreshed
 * once, by one of them, and the other sees it claimed. A short interval (2 s), real instances,
 * real refreshes.
 */
class ScheduledRefreshTest {

    private static final Duration EVERY = Duration.ofSeconds(2);

    private record Run(long runId, String status, String trigger, Instant startedAt) {
    }

    @Test
    void twoInstancesRunExactlyOneRefreshPerScheduledInstant() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = ConfigBuilder.from(upstream.serveFixtureSources(TestWarehouse.newDatabase()))
                .refreshInterval(EVERY).build();
            RefreshScheduler one;
            RefreshScheduler two;
            try (RunningApp first = RunningApp.start(config); RunningApp second = RunningApp.start(config)) {
                one = first.wiring().scheduler();
                two = second.wiring().scheduler();
                // Until both have seen at least four scheduled instants.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (ticks(one) < 4 || ticks(two) < 4) {
                    assertTrue(System.nanoTime() < deadline, "the schedule did not tick: " + ticks(one) + ", " + ticks(two));
                    Thread.sleep(100);
                }
                // The schedule shows in the metrics: the next instant, a multiple of 2 s, ahead.
                String metrics = first.given().get("/metrics").then().statusCode(200).extract().asString();
                double next = metric(metrics, "state_doses_refresh_next_scheduled_timestamp_seconds");
                assertEquals(0, Math.round(next * 1000) % EVERY.toMillis(), "next at a multiple of 2 s: " + next);
                assertTrue(next * 1000 > System.currentTimeMillis() - 1000, "next is ahead: " + next);
                assertTrue(metric(metrics, "state_doses_refresh_schedule_ticks_total{outcome=\"ran\"}")
                    + metric(metrics, "state_doses_refresh_schedule_ticks_total{outcome=\"elsewhere\"}") >= 4, metrics);
                // The run log says who started the runs.
                first.given().get("/refreshes?limit=1").then().statusCode(200)
                    .body("[0].trigger", org.hamcrest.Matchers.equalTo("schedule"));
            }
            // Both stopped (a scheduled refresh under way finished first): count what happened.
            List<Instant> ranByFirst = one.ranInstants();
            List<Instant> ranBySecond = two.ranInstants();
            long seenByFirst = ticks(one);
            long seenBySecond = ticks(two);
            assertEquals(0, one.count(RefreshScheduler.Outcome.UNCLAIMED) + two.count(RefreshScheduler.Outcome.UNCLAIMED));
            List<Run> runs = TestWarehouse.jdbi(config)
                .withHandle(h -> h.createQuery("select run_id, status, trigger, started_at from dwh.refresh_runs "
                        + "order by run_id")
                    .map((rs, ctx) -> new Run(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                    .list());
            // Both looked at the same instants (within one, for the one in progress at the end).
            assertTrue(Math.abs(seenByFirst - seenBySecond) <= 2, seenByFirst + " vs " + seenBySecond);
            // No instant was run twice, by the same instance or by both.
            List<Instant> ran = new ArrayList<>(ranByFirst);
            ran.addAll(ranBySecond);
            Set<Instant> distinct = new HashSet<>(ran);
            assertEquals(ran.size(), distinct.size(), "an instant run twice: " + ranByFirst + " and " + ranBySecond);
            // Every instant was a multiple of the interval, and every refresh in the log is one of them.
            ran.forEach(at -> assertEquals(0, at.toEpochMilli() % EVERY.toMillis(), at.toString()));
            // (An instant whose refresh found the previous one still running is skipped, as busy.)
            assertTrue(runs.size() >= 2, "refreshes ran: " + runs);
            assertEquals(ran.size(), runs.size(), "one run per instant claimed: " + runs + " for " + ran);
            // The first builds the product; the sources do not change after it, so the others find
            // them unchanged (conditional fetches) and build nothing.
            for (Run run : runs) {
                assertEquals("schedule", run.trigger(), run.toString());
                assertEquals(run == runs.get(0) ? "succeeded" : "unchanged", run.status(), run.toString());
            }
            // Each run started at or after its instant, and before the next one's.
            List<Instant> sorted = ran.stream().sorted().toList();
            for (int i = 0; i < runs.size(); i++) {
                Instant at = sorted.get(i);
                Instant started = runs.get(i).startedAt();
                assertTrue(!started.isBefore(at) && started.isBefore(at.plus(EVERY).plusSeconds(5)),
                    "run " + runs.get(i) + " for the instant " + at);
            }
        }
    }

    /** A refresh that succeeded after the instant makes its scheduled one unneeded. */
    @Test
    void aRecentRefreshMakesTheScheduledOneUnneeded() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
            }
            // An hour's interval: the instant just past is before that refresh only if the hour
            // turned in between, which the check allows for.
            Config hourly = ConfigBuilder.from(config).refreshInterval(Duration.ofHours(1)).build();
            try (RunningApp app = RunningApp.start(hourly)) {
                RefreshScheduler scheduler = app.wiring().scheduler();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (ticks(scheduler) < 1) {
                    assertTrue(System.nanoTime() < deadline, "the schedule did not look");
                    Thread.sleep(50);
                }
                long ran = scheduler.count(RefreshScheduler.Outcome.RAN);
                long fresh = scheduler.count(RefreshScheduler.Outcome.FRESH);
                long runs = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from dwh.refresh_runs").mapTo(Long.class).one());
                assertEquals(1, ran + fresh);
                assertEquals(1 + ran, runs, "a second run only if the hour turned meanwhile");
                Instant next = scheduler.next();
                assertEquals(0, next.toEpochMilli() % Duration.ofHours(1).toMillis(), next.toString());
            }
        }
    }

    /**
     * An instant the warehouse was away for is not lost for a whole interval: with a daily
     * schedule, a warehouse restarting at midnight cost the day's refresh. It is tried again
     * shortly (here every 300 ms, 30 s in service) and runs once the warehouse answers.
     */
    @Test
    void anInstantTheWarehouseWasAwayForRunsWhenItComesBack() throws Exception {
        try (StoppableWarehouse server = StoppableWarehouse.start(); FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(server.configure(Config.fromEnvironment(Map.of())));
            // No REFRESH_INTERVAL: the app runs no schedule of its own; this test's scheduler is the one.
            try (RunningApp app = RunningApp.start(config)) {
                server.stop();
                try (RefreshScheduler scheduler = new RefreshScheduler(app.wiring().warehouse().jdbi(),
                        app.wiring().refreshes(), Duration.ofDays(1), Clock.systemUTC(), Duration.ofMillis(300))) {
                    scheduler.start();
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (scheduler.count(RefreshScheduler.Outcome.UNCLAIMED) < 2) {
                        assertTrue(System.nanoTime() < deadline, "not tried again: "
                            + scheduler.count(RefreshScheduler.Outcome.UNCLAIMED));
                        Thread.sleep(50);
                    }
                    assertTrue(scheduler.next().isBefore(Instant.now().plusSeconds(5)), "soon, not tomorrow: "
                        + scheduler.next());
                    server.restart();
                    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (scheduler.count(RefreshScheduler.Outcome.RAN) < 1) {
                        assertTrue(System.nanoTime() < deadline, "the instant did not run once the warehouse was back");
                        Thread.sleep(100);
                    }
                    Instant today = scheduler.instantAtOrBefore(Instant.now());
                    assertEquals(List.of(today), scheduler.ranInstants());
                    assertEquals(today.plus(Duration.ofDays(1)), scheduler.next());
                }
                app.given().get("/refreshes").then().statusCode(200)
                    .body("trigger", org.hamcrest.Matchers.contains("schedule"))
                    .body("status", org.hamcrest.Matchers.contains("succeeded"));
                app.given().get("/ratios/NY").then().statusCode(200)
                    .body("doses_total", org.hamcrest.Matchers.equalTo(7500));
            }
        }
    }

    /**
     * An instant claimed by an instance that stopped before its refresh ended (a deploy's SIGTERM
     * mid-refresh, a kill: here its claim alone, left in the warehouse) is taken over at the next
     * start. Before, the start found it "claimed by another instance", and a new warehouse had no
     * product until the next instant, a day later with a daily schedule. Once a refresh has
     * succeeded since the instant, the claim stands at a start. A fixed clock: the instant is
     * the one the test wrote, whatever the time of day.
     */
    @Test
    void anInstantWhoseClaimantStoppedBeforeItsRefreshEndedIsTakenOverAtTheNextStart() throws Exception {
        Duration day = Duration.ofDays(1);
        Clock noon = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
        Instant due = Instant.parse("2026-06-01T00:00:00Z");
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            // No REFRESH_INTERVAL: the app runs no schedule of its own; this test's schedulers are the ones.
            try (RunningApp app = RunningApp.start(config)) {
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                jdbi.useHandle(h -> h.createUpdate("insert into dwh.refresh_schedule "
                        + "(singleton, last_tick, claimed_by, claimed_at) values (true, :due, 'gone pid 4242', :due)")
                    .bind("due", due).execute());
                try (RefreshScheduler scheduler = new RefreshScheduler(jdbi, app.wiring().refreshes(), day, noon)) {
                    scheduler.start();
                    awaitTicks(scheduler, 1);
                    assertEquals(1, scheduler.count(RefreshScheduler.Outcome.RAN), "taken over and run");
                    assertEquals(List.of(due), scheduler.ranInstants());
                }
                app.given().get("/refreshes").then().statusCode(200)
                    .body("trigger", org.hamcrest.Matchers.contains("schedule"))
                    .body("status", org.hamcrest.Matchers.contains("succeeded"));
                app.given().get("/ratios/NY").then().statusCode(200)
                    .body("doses_total", org.hamcrest.Matchers.equalTo(7500));
                assertTrue(jdbi.withHandle(h -> h.createQuery("select claimed_by from dwh.refresh_schedule")
                    .mapTo(String.class).one()).endsWith(" pid " + ProcessHandle.current().pid()), "claimed anew");

                // Another start in the same interval: the instant's refresh has succeeded, and stays claimed.
                try (RefreshScheduler again = new RefreshScheduler(jdbi, app.wiring().refreshes(), day, noon)) {
                    again.start();
                    awaitTicks(again, 1);
                    assertEquals(1, again.count(RefreshScheduler.Outcome.ELSEWHERE));
                    assertEquals(List.of(), again.ranInstants());
                }
                long runs = jdbi.withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs")
                    .mapTo(Long.class).one());
                assertEquals(1, runs, "no second run");
            }
        }
    }

    /**
     * A scheduled refresh that finds, once it holds the refresh lock, a refresh succeeded since its
     * instant: nothing to do, no run. Two instances started together each ran the instant they
     * started in (one claimed it, the other took the claim over at its start while the first's
     * refresh had not succeeded yet), and CI saw it ("an instant run twice"). An instant after the
     * last success still runs.
     */
    @Test
    void aScheduledRefreshFindingOneSucceededSinceItsInstantDoesNothing() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                Instant before = Instant.now().minusSeconds(60);
                app.given().post("/refresh").then().statusCode(200);
                RefreshService refreshes = app.wiring().refreshes();
                org.junit.jupiter.api.Assertions.assertThrows(FreshAlreadyException.class,
                    () -> refreshes.refreshScheduled(before));
                Jdbi jdbi = app.wiring().warehouse().jdbi();
                assertEquals(1L, (long) jdbi.withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs")
                    .mapTo(Long.class).one()), "a run recorded for nothing");
                Instant after = Instant.now().plusSeconds(1);
                Thread.sleep(1100);
                assertEquals(RefreshReport.UNCHANGED, refreshes.refreshScheduled(after).status());
                assertEquals(2L, (long) jdbi.withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs")
                    .mapTo(Long.class).one()));
            }
        }
    }

    /**
     * A refresh longer than the interval: while it runs, the next instant shown (the metric
     * state_doses_refresh_next_scheduled_timestamp_seconds) is ahead of now, not the instant being
     * refreshed, which it showed, in the past, until the refresh ended. The instants that passed
     * meanwhile are skipped, not made up: one run.
     */
    @Test
    void aRefreshLongerThanTheIntervalShowsTheNextInstantAheadAndRunsOnce() throws Exception {
        Duration second = Duration.ofSeconds(1);
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            FixtureServer.Hold held = upstream.serveHeld("/held/moderna.csv", dev.statedoses.support.Fixtures.bytes(
                "moderna.csv"));
            try (RunningApp app = RunningApp.start(ConfigBuilder.from(config).moderna(held.url()).build());
                 RefreshScheduler scheduler = new RefreshScheduler(app.wiring().warehouse().jdbi(),
                     app.wiring().refreshes(), second, Clock.systemUTC())) {
                scheduler.start();
                held.awaitRequested();
                for (int look = 0; look < 5; look++) {
                    Thread.sleep(500);
                    Instant shown = scheduler.next();
                    assertTrue(shown != null && shown.isAfter(Instant.now()), "next " + shown + " at " + Instant.now());
                }
                held.release();
                awaitTicks(scheduler, 1);
                assertEquals(1, scheduler.count(RefreshScheduler.Outcome.RAN));
                assertTrue(scheduler.next().isAfter(Instant.now().minusMillis(100)), scheduler.next().toString());
            }
            long runs = TestWarehouse.jdbi(config).withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs "
                + "where trigger = 'schedule'").mapTo(Long.class).one());
            assertTrue(runs >= 1 && runs <= 3, "one run for the held instant, then at most one a second: " + runs);
        }
    }

    private static void awaitTicks(RefreshScheduler scheduler, int ticks) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ticks(scheduler) < ticks) {
            assertTrue(System.nanoTime() < deadline, "the schedule did not look");
            Thread.sleep(50);
        }
    }

    /**
     * The value of the series {@code series} in a scrape: its name, and the labels it must have
     * ({@code name{outcome="ran"}}); the line may have more labels (every meter has an application tag).
     */
    private static double metric(String scrape, String series) {
        int brace = series.indexOf('{');
        String name = brace < 0 ? series : series.substring(0, brace);
        List<String> labels = brace < 0 ? List.of()
            : List.of(series.substring(brace + 1, series.length() - 1).split(","));
        return scrape.lines()
            .filter(line -> !line.startsWith("#"))
            .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
            .filter(line -> labels.stream().allMatch(label -> line.substring(0, line.lastIndexOf(' ')).contains(label)))
            .findFirst()
            .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).strip()))
            .orElseThrow(() -> new AssertionError("no " + series + " in:\n" + scrape));
    }

    private static long ticks(RefreshScheduler scheduler) {
        long all = 0;
        for (RefreshScheduler.Outcome outcome : RefreshScheduler.Outcome.values()) {
            all += scheduler.count(outcome);
        }
        return all;
    }
}
