package dev.statedoses.ops;

import dev.statedoses.BuildInfo;
import dev.statedoses.product.HeapRoom;
import dev.statedoses.product.ProductTooLargeException;
import dev.statedoses.util.Failures;
import dev.statedoses.util.OpenFiles;
import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.Warehouse;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health}: 200 when the warehouse answers and holds a product, and this instance serves
 * that product, 503 otherwise. The body is a status document (plain JSON, not a problem detail,
 * for both answers): which part is not ready and why, and when the last refresh that ended well (built the product, or found the sources
 * unchanged and kept it) finished. Concurrent checks share one reading of the warehouse
 * ({@link RecentReading}); a known outage answers at once, and the first look
 * that finds it answers within the pool's connection timeout (3 s).
 */
public final class Health {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);

    private final WarehouseState warehouse;
    /** Whether the last check reached the warehouse: outages are logged when they start and end, not per check. */
    private final AtomicBoolean lastUp = new AtomicBoolean(true);
    /** Whether the last look was stopped by another session's lock (one WARN a lock, not one a check). */
    private final AtomicBoolean lastLocked = new AtomicBoolean(false);
    /** Whether the last look found the warehouse without what the migrations made (one WARN until it has it). */
    private final AtomicBoolean lastMissing = new AtomicBoolean(false);

    /**
     * How long this instance may serve another product than the warehouse's before the check says
     * so. A product reaches an instance's memory milliseconds after its commit; a reload the
     * warehouse cut off is tried again within a second or two (ProductCache); one failing for
     * longer keeps failing (the heap too small for the new product, a table changed by hand).
     */
    static final Duration APART_GRACE = Duration.ofSeconds(15);

    private static final long NOT_APART = Long.MIN_VALUE;

    private final Supplier<Serving> serving;
    /** Since when (System.nanoTime) the product served has been another than the warehouse's; NOT_APART when not. */
    private final AtomicLong apartSince = new AtomicLong(NOT_APART);
    /** Whether the last check said so (one WARN when it starts, one INFO when it ends). */
    private final AtomicBoolean lastApart = new AtomicBoolean(false);

    private final RecentReading<Status> reading;

    Health(WarehouseState warehouse, Supplier<Serving> serving) {
        this.warehouse = warehouse;
        this.serving = serving;
        this.reading = new RecentReading<>(this::look);
    }

    /**
     * The last refresh that ended well: {@code succeeded} (it built the product served) or
     * {@code unchanged} (it found the sources as they were and kept that product, current as of
     * it). Monitors take "last successful" to mean the sources were last checked then.
     */
    record LastRefresh(long runId, String status, Instant finishedAt) {
    }

    /**
     * What is running: the version, the git commit it was built from, and whether the checkout
     * had uncommitted changes then (as --version says "built with uncommitted changes").
     */
    record Build(String version, String commit, boolean modified) {
        static final Build CURRENT = new Build(BuildInfo.version(), BuildInfo.commit(), BuildInfo.modified());
    }

    /**
     * The document: {@code status} ok|unavailable, {@code reason} (why it is unavailable, in words;
     * null when ok), {@code warehouse} up|down, {@code product} loaded|empty|unknown.
     */
    record Status(String status, String reason, String warehouse, String product, Integer stateRows,
                  LastRefresh lastSuccessfulRefresh, Build build) {
    }

    static final String LOCKED = "another session's lock kept the check from reading the product or the run log "
        + "for 1 s";
    static final String EMPTY = "no refresh has built the product yet";
    static final String NO_ANSWER = "the warehouse does not answer";

    /**
     * Why the check could not reach the warehouse. "Down" covers more than a warehouse away: one
     * that refuses for a reason of its own (every connection slot taken, 53300), or a service
     * with no descriptor left to connect with, was told as "down" and nothing more.
     */
    static String unreachable(Throwable e) {
        if (OpenFiles.ranOut(e)) {
            return "the service ran out of open files (its limit, ulimit -n, is " + OpenFiles.describeLimit() + ")";
        }
        return Warehouse.stopped(e).or(() -> Warehouse.refusedConnection(e).map(why -> "the warehouse answers, but "
            + why)).orElse(NO_ANSWER);
    }

    Status check() {
        return reading.get();
    }

    private Status look() {
        WarehouseState.Product product;
        try {
            product = warehouse.product();
        } catch (RuntimeException e) {
            if (BoundedReads.lockedOut(e)) {
                // The warehouse answered: another session's lock (an analyst's LOCK TABLE, a
                // VACUUM FULL) keeps the product and the run log from being read for now.
                if (!lastLocked.getAndSet(true)) {
                    LOG.warn("health: a lock another session holds on the product or the run log stops the check: {}",
                        WarehouseState.reason(e));
                }
                return new Status("unavailable", LOCKED, "up", "unknown", null, null, Build.CURRENT);
            }
            Optional<String> missing = Warehouse.missing(e);
            if (missing.isPresent()) {
                // The warehouse answered: what the migrations made is gone (dropped, or the database
                // created again under this process). Not an outage to wait out.
                if (!lastMissing.getAndSet(true)) {
                    LOG.warn("health: the warehouse answers, but no longer has what the migrations made ({}): "
                        + "was it dropped or created again? A restart migrates an empty database", missing.get());
                }
                return new Status("unavailable", "the warehouse no longer has what the migrations made ("
                    + missing.get() + "); a restart migrates an empty database", "up", "unknown", null, null,
                    Build.CURRENT);
            }
            if (lastUp.getAndSet(false)) {
                LOG.warn("health: {}: {}", unreachable(e), WarehouseState.reason(e));
            }
            return new Status("unavailable", unreachable(e), "down", "unknown", null, null, Build.CURRENT);
        }
        if (!lastUp.getAndSet(true)) {
            LOG.info("health: the warehouse answers again");
        }
        lastMissing.set(false);
        if (lastLocked.getAndSet(false)) {
            LOG.info("health: the lock is gone, and the check reads the warehouse again");
        }
        boolean loaded = product.stateRows() > 0;
        WarehouseState.LastSuccess last = product.lastSuccess();
        LastRefresh lastRefresh = last == null ? null : new LastRefresh(last.runId(), last.status(), last.finishedAt());
        Optional<String> apart = apart(loaded ? product.refreshedAt() : null);
        if (apart.isPresent()) {
            return new Status("unavailable", apart.get(), "up", "loaded", product.stateRows(), lastRefresh,
                Build.CURRENT);
        }
        return new Status(loaded ? "ok" : "unavailable", loaded ? null : EMPTY, "up", loaded ? "loaded" : "empty",
            product.stateRows(), lastRefresh, Build.CURRENT);
    }

    /**
     * Why this instance is not ready although the warehouse is: it has served another product
     * than the warehouse's ({@code built}, when it holds one) for longer than {@link #APART_GRACE}.
     * The reads of the product come from this instance's memory, so a reload that keeps failing
     * served an old product while /health said all was well (the log said it, on every retry).
     */
    private Optional<String> apart(Instant built) {
        Instant served = serving.get().refreshedAt();
        if (built == null || built.equals(served)) {
            apartSince.set(NOT_APART);
            if (lastApart.getAndSet(false)) {
                LOG.info("health: this instance serves the warehouse's product again");
            }
            return Optional.empty();
        }
        long now = System.nanoTime();
        apartSince.compareAndSet(NOT_APART, now);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(now - apartSince.get());
        if (seconds < APART_GRACE.toSeconds()) {
            return Optional.empty();
        }
        String why = serving.get().reloadFailure().flatMap(Health::reloadFails)
            .map(failure -> "its reload fails: " + failure)
            .orElse("its reload fails (the log says why), or the product was changed without a refresh");
        String reason = "this instance serves " + (served == null ? "no product" : "the product refreshed at " + served)
            + ", not the warehouse's, refreshed at " + built + ", for " + seconds + " s: " + why;
        if (!lastApart.getAndSet(true)) {
            LOG.warn("health: {}", reason);
        }
        return Optional.of(reason);
    }

    /**
     * Why a reload fails, in the words the other reasons use, where it is a fault of the warehouse
     * or of this process's limits: a heap too small for the product above all, which no retry
     * mends and which the log alone told. Other failures stay in the log: /health is open to any
     * client, and an exception's own text may say more of the warehouse than it should.
     */
    static Optional<String> reloadFails(Throwable e) {
        Optional<String> tooLarge = Failures.chain(e).filter(ProductTooLargeException.class::isInstance)
            .map(Throwable::getMessage).findFirst();
        if (tooLarge.isPresent()) {
            return tooLarge;
        }
        if (Failures.chain(e).anyMatch(OutOfMemoryError.class::isInstance)) {
            return Optional.of("the service ran out of heap reading the product (its limit, -Xmx, is "
                + HeapRoom.maxMib() + " MiB): start it with a larger heap");
        }
        Optional<String> missing = Warehouse.missing(e);
        if (missing.isPresent()) {
            return Optional.of("the warehouse no longer has what the migrations made (" + missing.get() + ")");
        }
        if (OpenFiles.ranOut(e) || Warehouse.unreachable(e) || Warehouse.stopped(e).isPresent()) {
            return Optional.of(unreachable(e));
        }
        return Optional.empty();
    }

    public void handle(Context ctx) {
        Status status = check();
        ctx.status("ok".equals(status.status()) ? 200 : 503);
        ctx.header("Cache-Control", "no-store");
        ctx.json(status);
    }
}
