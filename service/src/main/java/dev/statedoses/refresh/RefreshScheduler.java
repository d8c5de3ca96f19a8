package dev.statedoses.refresh;

import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.util.DaemonThreads;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes by itself every {@code REFRESH_INTERVAL}, once per interval however many instances
 * share the warehouse.
 *
 * <p>Every instance wakes at the same instants, the multiples of the interval since the epoch
 * (00:00, 06:00, 12:00 and 18:00 UTC for 6h), and tries to claim that instant's refresh in
 * {@code dwh.refresh_schedule}: one statement that moves the last claimed instant forward only
 * if it is behind, so exactly one instance claims each. Clocks a little apart change nothing: a
 * late instance finds the instant claimed. The claimant runs the refresh, unless one has already
 * succeeded since that instant (a POST /refresh, say), or one is running: for the scheduler a busy
 * lock means the product is being refreshed anyway, not an error. At start, the instant just
 * past is looked at the same way, so a schedule missed while every instance was down is made
 * up at once, and a new warehouse gets its first product without waiting a whole interval; an
 * instant claimed already, by whichever instance (this one before a restart, too), is taken over
 * then when no refresh has succeeded since it: a claim outlived the refresh it was for when its
 * claimant stopped mid-refresh (a deploy's SIGTERM, a kill), and the instant was lost, for a new
 * warehouse its first product, until the next one. An
 * instant the warehouse was away for is tried again every {@link #RETRY_AFTER_OUTAGE} until it
 * is claimed or the next instant comes: a daily refresh is not lost to a warehouse that was
 * restarting at midnight.
 */
public final class RefreshScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);

    /** How a scheduled instant ended for this instance. */
    public enum Outcome {
        /** This instance claimed it and ran the refresh (whatever its outcome: see the run log). */
        RAN,
        /** Another instance had claimed it. */
        ELSEWHERE,
        /** Claimed, but a refresh had succeeded since that instant: nothing to do. */
        FRESH,
        /** Claimed, but a refresh was running (another instance's, or a POST /refresh). */
        BUSY,
        /** The warehouse did not answer the claim: tried again shortly, until the next instant. */
        UNCLAIMED
    }

    /** How soon an instant the warehouse did not answer for is tried again. */
    static final Duration RETRY_AFTER_OUTAGE = Duration.ofSeconds(30);

    private final Jdbi jdbi;
    private final RefreshService refreshes;
    private final Duration interval;
    private final Duration retryAfterOutage;
    /** The instant whose claim last failed for the warehouse's absence (said once at WARN), or null. */
    private Instant unanswered;
    private final Clock clock;
    private final String instance;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    /** The instants this instance ran, oldest first (the last 100): for tests and for its log. */
    private final List<Instant> ran = new ArrayList<>();
    private final ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("refresh-schedule"));
    private volatile Instant next;
    /** While an instant is being handled (its claim, its refresh). */
    private volatile boolean handling;
    /** Until the first instant has been looked at: the one look that may take over a claim. */
    private boolean starting = true;

    public RefreshScheduler(Jdbi jdbi, RefreshService refreshes, Duration interval, Clock clock) {
        this(jdbi, refreshes, interval, clock, RETRY_AFTER_OUTAGE);
    }

    RefreshScheduler(Jdbi jdbi, RefreshService refreshes, Duration interval, Clock clock, Duration retryAfterOutage) {
        this.jdbi = jdbi;
        this.refreshes = refreshes;
        this.interval = interval;
        this.retryAfterOutage = retryAfterOutage;
        this.clock = clock;
        this.instance = hostName() + " pid " + ProcessHandle.current().pid();
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        // On close, the next wake-up (hours away, perhaps) is dropped, not waited for.
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Looks at the instant just past now, then wakes at every next one. */
    public void start() {
        LOG.info("refreshing every {} (at multiples of it since 1970-01-01T00:00Z); next at {}", interval,
            instantAtOrBefore(clock.instant()).plus(interval));
        submit(this::tick, 0);
    }

    /**
     * When this instance next wakes to look for a scheduled refresh; null before start or after
     * close. While an instant is handled (its refresh may outlast the interval), the first
     * instant after now, the earliest it can look again: the metric showed the instant being
     * handled, in the past, for as long as the refresh ran.
     */
    public Instant next() {
        return handling ? instantAtOrBefore(clock.instant()).plus(interval) : next;
    }

    /** How many scheduled instants ended with {@code outcome} on this instance. */
    public long count(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /** The instants this instance ran a refresh for (the last 100). */
    public synchronized List<Instant> ranInstants() {
        return List.copyOf(ran);
    }

    private void tick() {
        Instant due = instantAtOrBefore(clock.instant());
        handling = true;
        Outcome outcome = null;
        try {
            outcome = handle(due);
            outcomes.get(outcome).increment();
        } catch (RuntimeException e) {
            LOG.warn("scheduled refresh of {}: {}", due, e.getMessage());
        } finally {
            // The start's instant is looked at again while the warehouse does not answer.
            starting = starting && outcome == Outcome.UNCLAIMED;
            handling = false;
            Instant now = clock.instant();
            Instant following = instantAtOrBefore(now).plus(interval);
            // Instants that came while this one was handled are not made up: one refresh has just
            // run (or tried). Said, as they went without a word.
            long passed = Duration.between(due, following).dividedBy(interval) - 1;
            if (passed > 0) {
                LOG.info("scheduled refresh of {} took past {} later instant{} ({} to {}): skipped, not made up; "
                    + "next at {}", due, passed, passed == 1 ? "" : "s", due.plus(interval),
                    following.minus(interval), following);
            }
            Instant retry = now.plus(retryAfterOutage);
            // The same instant again soon if the warehouse was away, unless the next one comes first.
            next = outcome == Outcome.UNCLAIMED && retry.isBefore(following) ? retry : following;
            // A millisecond past the instant, so that the wake-up computes that instant as due.
            submit(this::tick, Duration.between(now, next).toMillis() + (next.equals(following) ? 1 : 0));
        }
    }

    private Outcome handle(Instant due) {
        Claim claim;
        try {
            claim = claim(due);
        } catch (RuntimeException e) {
            // Said once per instant: the tries every RETRY_AFTER_OUTAGE go to DEBUG.
            if (!due.equals(unanswered)) {
                LOG.warn("scheduled refresh of {} not claimed, the warehouse did not answer ({}); trying again every "
                    + "{} s until {}", due, e.getMessage(), retryAfterOutage.toSeconds(), due.plus(interval));
                unanswered = due;
            } else {
                LOG.debug("scheduled refresh of {} not claimed yet: {}", due, e.getMessage());
            }
            return Outcome.UNCLAIMED;
        }
        if (due.equals(unanswered)) {
            LOG.info("scheduled refresh of {}: the warehouse answers again", due);
        }
        unanswered = null;
        if (!claim.claimed() && starting && due.equals(claim.lastTick())) {
            claim = takeOver(due, claim);
        }
        if (!claim.claimed()) {
            if (claim.lastTick() != null && claim.lastTick().isAfter(due)) {
                // Not another instance's claim of this instant: a later one, claimed under another
                // REFRESH_INTERVAL.
                LOG.info("scheduled refresh of {}: a later instant, {}, is claimed already (by {}), as after a change "
                    + "of REFRESH_INTERVAL; nothing to do until {}", due, claim.lastTick(), claim.by(),
                    due.plus(interval));
            } else {
                LOG.info("scheduled refresh of {}: claimed by another instance ({})", due, claim.by());
            }
            return Outcome.ELSEWHERE;
        }
        if (claim.fresh()) {
            LOG.info("scheduled refresh of {}: a refresh has succeeded since, nothing to do", due);
            return Outcome.FRESH;
        }
        LOG.info("scheduled refresh of {}: claimed by this instance", due);
        try {
            refreshes.refreshScheduled(due);
        } catch (RefreshBusyException e) {
            LOG.info("scheduled refresh of {}: a refresh is running already, so this one is skipped", due);
            return Outcome.BUSY;
        } catch (FreshAlreadyException e) {
            LOG.info("scheduled refresh of {}: a refresh has succeeded since, ended after the claim; nothing to do", due);
            return Outcome.FRESH;
        } catch (SourceAbandonedException e) {
            LOG.info("scheduled refresh of {}: stopped, the service is shutting down", due);
        } catch (RuntimeException e) {
            // Recorded in the run log with its reason; RefreshService has logged it too.
            LOG.warn("scheduled refresh of {} failed (the last good product stays): {}", due, e.getMessage());
        }
        synchronized (this) {
            ran.add(due);
            if (ran.size() > 100) {
                ran.remove(0);
            }
        }
        return Outcome.RAN;
    }

    /**
     * Whether this instance claimed {@code due}; otherwise who claimed last, and which instant
     * ({@code lastTick}); and whether a refresh succeeded since.
     */
    private record Claim(boolean claimed, String by, Instant lastTick, boolean fresh) {
    }

    private Claim claim(Instant due) {
        return jdbi.inTransaction(h -> {
            // One statement, so two instances cannot both claim: the second waits for the first's
            // row lock, then finds last_tick no longer behind. A last_tick ahead of the warehouse's
            // clock was claimed by a clock ahead of it (this process's own, before the schedule read
            // the warehouse's): it would hold every instant until then, so it is claimed over.
            boolean claimed = h.createQuery("""
                    insert into dwh.refresh_schedule as s (singleton, last_tick, claimed_by, claimed_at)
                    values (true, :due, :me, now())
                    on conflict (singleton) do update
                        set last_tick = excluded.last_tick, claimed_by = excluded.claimed_by,
                            claimed_at = excluded.claimed_at
                        where s.last_tick < excluded.last_tick or s.last_tick > clock_timestamp()
                    returning true""")
                .bind("due", due)
                .bind("me", instance)
                .mapTo(Boolean.class)
                .findOne()
                .isPresent();
            if (!claimed) {
                return h.createQuery("select claimed_by, last_tick from dwh.refresh_schedule")
                    .map((rs, ctx) -> new Claim(false, rs.getString("claimed_by"),
                        rs.getTimestamp("last_tick").toInstant(), false))
                    .findOne().orElse(new Claim(false, "?", null, false));
            }
            return new Claim(true, instance, due, RefreshRuns.goodSince(h, due));
        });
    }

    /**
     * At start, the instant just past claimed already ({@code claimed}): taken over, when no
     * refresh has succeeded since it, from whoever claimed it, in one statement that only one
     * instance starting now can win. A claimant still refreshing it holds the refresh lock, and
     * the refresh this instance then starts is turned away as busy; one whose refresh failed has
     * it tried once more, as at any start. Said at INFO, naming the claimant.
     */
    private Claim takeOver(Instant due, Claim claimed) {
        try {
            return jdbi.inTransaction(h -> {
                if (RefreshRuns.goodSince(h, due)) {
                    return claimed;
                }
                boolean taken = h.createUpdate("""
                        update dwh.refresh_schedule set claimed_by = :me, claimed_at = now()
                        where last_tick = :due and claimed_by = :by""")
                    .bind("me", instance)
                    .bind("due", due)
                    .bind("by", claimed.by())
                    .execute() == 1;
                if (!taken) {
                    return claimed;
                }
                LOG.info("scheduled refresh of {}: claimed by {}, but no refresh has succeeded since; taken over at "
                    + "this instance's start (the claimant stopped before its refresh ended, or that refresh failed)",
                    due, claimed.by().equals(instance) ? "this instance before a restart" : claimed.by());
                return new Claim(true, instance, due, false);
            });
        } catch (RuntimeException e) {
            // The warehouse went away between the claim and this: as the claim found it.
            LOG.debug("scheduled refresh of {}: not taken over: {}", due, e.getMessage());
            return claimed;
        }
    }

    /** The latest multiple of the interval since the epoch at or before {@code at}. */
    Instant instantAtOrBefore(Instant at) {
        long every = interval.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), every) * every);
    }

    private void submit(Runnable task, long delayMillis) {
        try {
            timer.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            next = null; // closed
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }

    /**
     * Stops waking. A scheduled refresh running now may finish (up to 30 s; on SIGTERM,
     * RefreshService.shutdown has already stopped its fetching), then it is interrupted.
     */
    @Override
    public void close() {
        timer.shutdown();
        next = null;
        try {
            if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
