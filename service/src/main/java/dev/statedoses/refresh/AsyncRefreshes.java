package dev.statedoses.refresh;

import dev.statedoses.util.DaemonThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes that run on after the request that asked for them has been answered
 * ({@code POST /refresh} with {@code Prefer: respond-async}). The caller waits only until the run
 * is on record, so it can answer with the run's id; a refresh turned away before that (another
 * one running, the service stopping, the warehouse away) is thrown to the caller as it would be
 * for a synchronous one. What happens after is in the run log ({@code GET /refreshes/{id}}).
 */
public final class AsyncRefreshes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncRefreshes.class);

    /** Longer than any start: the local lock, a pooled connection (3 s), the refresh lock, one insert. */
    private static final long START_TIMEOUT_SECONDS = 30;

    private final RefreshService refreshes;
    /** A thread per refresh: a second one must reach the lock (and be turned away) at once, not queue. */
    private final ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("refresh-async"));

    public AsyncRefreshes(RefreshService refreshes) {
        this.refreshes = refreshes;
    }

    /**
     * Starts a refresh ({@code force}: see {@link RefreshService#refresh(Trigger, boolean, java.util.function.LongConsumer)})
     * and answers its run id once the run is on record (status running).
     */
    public long start(Trigger trigger, boolean force) {
        CompletableFuture<Long> recorded = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                refreshes.refresh(trigger, force, recorded::complete);
            } catch (RuntimeException | Error e) {
                if (!recorded.completeExceptionally(e)) {
                    // After the run was recorded: its failure is in the run log, and RefreshService logged it.
                    LOG.debug("asynchronous refresh failed after it was recorded: {}", e.getMessage());
                }
            }
        });
        try {
            return recorded.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("the refresh could not start", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the refresh did not start within " + START_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the refresh started", e);
        }
    }

    /** Lets a refresh under way finish (RefreshService.shutdown stops one on SIGTERM), up to 30 s. */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
