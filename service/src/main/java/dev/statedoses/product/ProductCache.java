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
    /** The refresh run whose product the snapshot holds, as the warehouse said when it was read (-1: none). */
    private long loadedRun = -1;

    public ProductCache(RatioRepository ratios, ProductResponse responses) {
        this.ratios = ratios;
        this.responses = responses;
        this.current = new AtomicReference<>(ProductSnapshot.empty(responses));
    }

    public ProductSnapshot current() {
        return current.get();
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
     * A NOTIFY on the product's channel: another process may have refreshed. Reloads when the
     * warehouse's product is not the one the snapshot holds, whatever the notification said: any
     * login of the database may send one, with any payload (the read-only one too), so it only
     * wakes us; the product's own run decides. The refreshing process hears its own NOTIFY after
     * it reloaded, and finds nothing to do.
     */
    public synchronized void productMayHaveChanged() {
        if (ratios.productRun() != loadedRun) {
            reload();
        }
    }

    /** Reads the product from the warehouse and swaps it in; on failure the old snapshot stays. */
    public synchronized void reload() {
        RatioRepository.Product product = ratios.product();
        ProductSnapshot next = ProductSnapshot.of(product, responses);
        loadedRun = product.runId();
        ProductSnapshot previous = current.getAndSet(next);
        if (next.refreshedAt() == null || !next.refreshedAt().equals(previous.refreshedAt())) {
            LOG.info("product snapshot loaded: {} rows, refreshed at {}", next.rows().size(),
                next.isEmpty() ? "never" : next.refreshedAt());
        }
    }
}
