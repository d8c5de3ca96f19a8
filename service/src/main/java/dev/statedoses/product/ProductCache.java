package dev.statedoses.product;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link ProductSnapshot}, so reads of the product need no warehouse round
 * trip. Reloaded at start, after this process's refreshes, and when another process announces
 * one; readers always see one whole snapshot, the old or the new.
 */
public final class ProductCache {

    private static final Logger LOG = LoggerFactory.getLogger(ProductCache.class);

    private final RatioRepository ratios;
    private final ProductResponse responses;
    private final AtomicReference<ProductSnapshot> current;
    /** The newest refresh run this snapshot was reloaded for (-1: none yet). */
    private long reloadedFor = -1;

    public ProductCache(RatioRepository ratios, ProductResponse responses) {
        this.ratios = ratios;
        this.responses = responses;
        this.current = new AtomicReference<>(ProductSnapshot.empty(responses));
    }

    public ProductSnapshot current() {
        return current.get();
    }

    /**
     * Reloads for the refresh run {@code runId}, unless that run (or a later one) was reloaded for
     * already: the refreshing process reloads at once, then hears its own NOTIFY.
     */
    public synchronized void reloadFor(long runId) {
        if (runId > reloadedFor) {
            reload();
            reloadedFor = runId;
        }
    }

    /** Reads the product from the warehouse and swaps it in; on failure the old snapshot stays. */
    public synchronized void reload() {
        ProductSnapshot next = ProductSnapshot.of(ratios.product(), responses);
        ProductSnapshot previous = current.getAndSet(next);
        if (next.refreshedAt() == null || !next.refreshedAt().equals(previous.refreshedAt())) {
            LOG.info("product snapshot loaded: {} rows, refreshed at {}", next.rows().size(),
                next.isEmpty() ? "never" : next.refreshedAt());
        }
    }
}
