package dev.statedoses.product;

import dev.statedoses.util.DaemonThreads;
import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.WarehouseLockedException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link ProductSnapshot}, so reads of the product need no warehouse round
 * trip. Reloaded at start, after this process's refreshes, and when another process announces
 * one; readers always see one whole snapshot, the old or the new.
 *
 * <p>This process's own refresh does not wait for its reload: the refresh answers once it has
 * committed, and the reload runs on a thread of its own. From just before the commit until the
 * reload is in, a reader waits for it (at most {@link #READ_WAIT}), so that a read after the
 * refresh's answer, or after the run log shows it ended, sees the refreshed product.
 */
public final class ProductCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductCache.class);
    /**
     * How long a read waits for the reload after this process's refresh. A reload takes
     * milliseconds; one stuck in a warehouse that went away must not hold every read, so past
     * this the reads get the snapshot as it is (the old product), as when a reload fails.
     */
    static final Duration READ_WAIT = Duration.ofSeconds(2);
    /**
     * How soon a reload that failed is tried again, doubled at each failure up to
     * {@link #RETRY_LONGEST}. A reload is the only way a committed product reaches this process's
     * reads: one lost to a connection dropped at that moment left the old product served, with
     * /health saying all was well, until the next product was built (hours, under a schedule of
     * unchanged sources).
     */
    static final Duration RETRY_FIRST = Duration.ofMillis(250);
    static final Duration RETRY_LONGEST = Duration.ofSeconds(10);

    private final RatioRepository ratios;
    private final ProductResponse responses;
    private final AtomicReference<ProductSnapshot> current;
    /** The refresh run whose product the snapshot holds, as the warehouse said when it was read (-1: none). */
    private long loadedRun = -1;
    /** The reload this process's last refresh asked for, while it is not in: reads wait for it. */
    private final AtomicReference<CompletableFuture<Void>> pending = new AtomicReference<>();
    private final ScheduledThreadPoolExecutor reloader =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("product-reload"));
    /** Whether a failed reload is waiting to be tried again: one chain of retries at a time. */
    private final AtomicBoolean retrying = new AtomicBoolean();
    /**
     * Why the last reload failed, while no reload has succeeded since (null otherwise): /health
     * names it when this instance has served another product than the warehouse's for long.
     */
    private volatile Throwable reloadFailure;

    public ProductCache(RatioRepository ratios, ProductResponse responses) {
        this.ratios = ratios;
        this.responses = responses;
        this.current = new AtomicReference<>(ProductSnapshot.empty(responses));
        // On close, a retry waiting for its turn is dropped: there are no more reads to serve.
        reloader.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** The snapshot to answer from: after this process's refresh, the one it reloaded. */
    public ProductSnapshot current() {
        CompletableFuture<Void> reloading = pending.get();
        if (reloading != null) {
            awaitReload(reloading);
        }
        return current.get();
    }

    private void awaitReload(CompletableFuture<Void> reloading) {
        try {
            reloading.get(READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Stuck: the reads that follow get the snapshot as it is, and no longer wait.
            if (pending.compareAndSet(reloading, null)) {
                LOG.warn("the snapshot's reload after this instance's refresh is still running after {} s: "
                    + "reads answer from the snapshot as it is until it is in", READ_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // not completed exceptionally: the reload logs its own failure
        }
    }

    /**
     * Before this process's refresh commits a new product: reads wait from now until the reload
     * that follows is in ({@link HeldReads#reloadFor}), or the commit failed ({@link HeldReads#release}).
     * Held before the commit, not after it: a client that learns of the commit from the run log
     * (an asynchronous refresh, polled) reads next, and came between the commit and the reload.
     */
    public HeldReads holdReads() {
        HeldReads held = new HeldReads(Optional.empty());
        pending.set(held.done);
        return held;
    }

    /**
     * {@link #holdReads}, with the product read in the refresh's own transaction {@code tx}, just
     * before its commit: once committed, the snapshot is made from it, and the warehouse is not
     * asked again. Read after the commit, a warehouse gone in between (stopped, the connection
     * cut) left the old product served, or "no data" before the first, while the run said
     * succeeded, until the warehouse was back.
     */
    public HeldReads holdReads(Handle tx) {
        HeldReads held = new HeldReads(ratios.productIn(tx));
        pending.set(held.done);
        return held;
    }

    /** After this process's refresh {@code runId} committed: {@link #holdReads} and its reload at once. */
    public void reloadSoonFor(long runId) {
        holdReads().reloadFor(runId);
    }

    /** The reads held for one refresh's commit (see {@link #holdReads}). */
    public final class HeldReads {

        private final CompletableFuture<Void> done = new CompletableFuture<>();
        /** The product as the refresh's transaction left it, when it could be read there. */
        private final Optional<RatioRepository.Product> committing;

        private HeldReads(Optional<RatioRepository.Product> committing) {
            this.committing = committing;
        }

        /**
         * Committed: reloads on the reload thread, unless the snapshot holds that run's product
         * already, and returns at once. Reads wait for it (again, if a slow commit outlasted a
         * read's wait).
         */
        public void reloadFor(long runId) {
            pending.set(done);
            try {
                reloader.execute(() -> {
                    try {
                        if (committing.isPresent()) {
                            installFor(runId, committing.get());
                        } else {
                            ProductCache.this.reloadFor(runId);
                        }
                    } catch (RuntimeException | Error e) {
                        reloadFailure = e;
                        // An Error too (the heap ran out reading a large product): uncaught, the
                        // executor kept it, nothing was tried again, and the old product was served
                        // for good while /health named the new one.
                        LOG.warn("refresh {} committed, but reloading this instance's snapshot failed ({}); "
                            + "trying again until it is in", runId, e.getMessage());
                        retry(0);
                    } finally {
                        release();
                    }
                });
            } catch (RejectedExecutionException closed) {
                // Closing: the service serves no more reads.
                release();
            }
        }

        /** Not committed, or reloaded: the reads go on with the snapshot as it is. */
        public void release() {
            done.complete(null);
            pending.compareAndSet(done, null);
        }
    }

    /**
     * After this process's refresh {@code runId} committed: reloads, unless the snapshot holds that
     * run's product already.
     */
    public synchronized void reloadFor(long runId) {
        if (runId != loadedRun) {
            reload();
        }
    }

    /**
     * After this process's refresh {@code runId} committed {@code product}: swaps it in, unless
     * the snapshot holds it already, or a later run's (another instance's refresh, heard and
     * loaded first: runs are numbered in the order they start, and one refresh runs at a time).
     */
    private synchronized void installFor(long runId, RatioRepository.Product product) {
        if (loadedRun < runId) {
            install(product, System.nanoTime());
        }
    }

    /**
     * A NOTIFY on the product's channel: another process may have refreshed. Reloads when the
     * warehouse's product is not the one the snapshot holds, whatever the notification said: any
     * login of the database may send one, with any payload (the read-only one too), so it only
     * wakes us; the product's own run decides. The refreshing process hears its own NOTIFY after
     * it reloaded, and finds nothing to do.
     */
    public synchronized void productMayHaveChanged() {
        if (ratios.productRun() != loadedRun) {
            reload();
        } else {
            reloadFailure = null;
        }
    }

    /**
     * {@link #productMayHaveChanged}, or {@link #reload} when {@code always} (notifications may have
     * been missed), for a caller that cannot wait: a failure is tried again on the reload thread
     * until the snapshot holds the warehouse's product.
     */
    public void reloadOrRetry(boolean always) {
        try {
            if (always) {
                reload();
            } else {
                productMayHaveChanged();
            }
        } catch (RuntimeException | Error e) {
            reloadFailure = e;
            LOG.warn("reloading this instance's snapshot failed ({}); trying again until it is in", e.getMessage());
            retry(0);
        }
    }

    /** Tries {@link #productMayHaveChanged} again after a failed reload, until one succeeds. */
    private void retry(int failures) {
        if (failures == 0 && !retrying.compareAndSet(false, true)) {
            return; // a chain is already trying
        }
        long delay = Math.min(RETRY_FIRST.toMillis() << Math.min(failures, 10), RETRY_LONGEST.toMillis());
        try {
            reloader.schedule(() -> {
                try {
                    productMayHaveChanged();
                    retrying.set(false);
                    LOG.info("the snapshot holds the warehouse's product again, after {} failed reload(s)",
                        failures + 1);
                } catch (RuntimeException | Error e) {
                    reloadFailure = e;
                    LOG.debug("reloading the snapshot failed again: {}", e.getMessage());
                    retry(failures + 1);
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            retrying.set(false); // closing: no more reads to serve
        }
    }

    /**
     * The first load, at start: behind another session's lock on the product (an owner's
     * {@code LOCK TABLE}, a {@code VACUUM FULL}, an {@code ALTER} left open), it waits
     * {@code first}, then says in the log who holds it and waits up to {@code wait} in all; past
     * that, it gives up naming them ({@link WarehouseLockedException}). Unbounded, a start waited as
     * long as the lock was held, its port closed and its log silent, which an orchestrator's
     * liveness probe takes for a dead process.
     *
     * @param holders the sessions holding a lock on the product's tables, in words
     */
    public void loadAtStart(Duration first, Duration wait, Supplier<String> holders) {
        long started = System.nanoTime();
        try {
            install(ratios.product(first), started);
            return;
        } catch (RuntimeException e) {
            if (!BoundedReads.lockedOut(e)) {
                throw e;
            }
        }
        LOG.warn("reading the product at start waits for a lock on dwh.state_doses held by {}; waiting up to {} s",
            holders.get(), wait.toSeconds());
        try {
            install(ratios.product(wait.minus(first)), started);
        } catch (RuntimeException e) {
            if (!BoundedReads.lockedOut(e)) {
                throw e;
            }
            throw new WarehouseLockedException("cannot read the product from the warehouse: a lock on dwh.state_doses "
                + "(or dwh.state_doses_weekly) is still held after " + wait.toSeconds() + " s by "
                + holders.get() + ". End that session or let it finish (a superuser may end it: select "
                + "pg_terminate_backend(<pid>)), then start again", e);
        }
    }

    /** Reads the product from the warehouse and swaps it in; on failure the old snapshot stays. */
    public synchronized void reload() {
        long started = System.nanoTime();
        install(ratios.product(), started);
    }

    /** Swaps in the snapshot of {@code product}, read since {@code started} (System.nanoTime). */
    private synchronized void install(RatioRepository.Product product, long started) {
        ProductSnapshot next = ProductSnapshot.of(product, responses);
        loadedRun = product.runId();
        ProductSnapshot previous = current.getAndSet(next);
        reloadFailure = null;
        if (next.refreshedAt() == null || !next.refreshedAt().equals(previous.refreshedAt())) {
            LOG.info("product snapshot loaded: {} rows, refreshed at {}, in {} ms", next.rows().size(),
                next.isEmpty() ? "never" : next.refreshedAt(), String.format(Locale.ROOT, "%.1f",
                    (System.nanoTime() - started) / 1e6));
            LastModified date = next.lastModified();
            if (date != null && !date.alone()) {
                LOG.info("another product was built in the second of this one's refreshed_at, or after it: "
                    + "its Last-Modified ({}) cannot tell them apart, so If-Modified-Since alone is answered 200 "
                    + "(If-None-Match still 304) until the next product", date.date());
            }
            if (date != null && date.aheadOfClock()) {
                LOG.warn("the product's refreshed_at {} is ahead of this instance's clock (is the warehouse's clock "
                    + "ahead?): answers leave Last-Modified out until this clock reaches it", date.refreshedAt());
            }
        }
    }

    /** Why the last reload failed, while none has succeeded since; empty when the last one did. */
    public Optional<Throwable> reloadFailure() {
        return Optional.ofNullable(reloadFailure);
    }

    /** Stops the reload thread; a reload under way ends on its own (its connection returns to the pool). */
    @Override
    public void close() {
        reloader.shutdown();
    }
}
