package dev.statedoses.warehouse;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.jdbi.v3.core.Jdbi;

/**
 * The warehouse's clock, for the work that compares the present with times in the run log: the
 * schedule's instants (claimed in dwh.refresh_schedule, checked against runs' ends) and the run
 * log's retention. Those times are the warehouse's (a run's start and end, sql/runs/start_run.sql),
 * so every instance must read the same clock: with its own, an instance an hour ahead claimed the
 * next hour's instants for every instance, and pruned runs that had ended a minute before.
 *
 * <p>While the warehouse does not answer, this process's clock stands in: what then needs the
 * warehouse fails on its own and says so (a claim not made, a prune tried again later).
 */
public final class WarehouseClock extends Clock {

    private final Jdbi jdbi;

    public WarehouseClock(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public Instant instant() {
        try {
            return jdbi.withHandle(h -> h.createQuery("select clock_timestamp()").mapTo(OffsetDateTime.class).one())
                .toInstant();
        } catch (RuntimeException warehouseAway) {
            return Instant.now();
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the warehouse's clock is read in UTC");
    }
}
