package dev.statedoses.refresh;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A run's times: its start as the warehouse's clock read it (sql/runs/start_run.sql), and every
 * later one that start plus the time this process measured since on its monotonic clock. The run
 * log then holds one clock's times, whichever instance wrote them: an abandoned run's end, which
 * another instance writes with the warehouse's now(), and a schedule's claims are on it too. With
 * each instance's own clock, an instance an hour ahead wrote runs that ended after every later
 * one (GET /health named them the last success, the schedule found a refresh "since" every
 * instant), and one stepped back during a refresh wrote a duration of -1 h.
 *
 * @param runId       the run
 * @param started     when it started, on the warehouse's clock
 * @param startNanos  {@link System#nanoTime} at that moment, give or take the round trip
 */
record RunClock(long runId, Instant started, long startNanos) {

    /**
     * Now, on the run's timeline: never before {@link #started}, however this process's wall clock
     * moves. In whole microseconds, as the warehouse keeps it: the report then gives the instant the
     * run log gives (the driver rounded the nanoseconds, and the report kept them).
     */
    Instant now() {
        return started.plusNanos(Math.max(0, System.nanoTime() - startNanos)).truncatedTo(ChronoUnit.MICROS);
    }
}
