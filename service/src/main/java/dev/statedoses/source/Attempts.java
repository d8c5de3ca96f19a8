package dev.statedoses.source;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry policy of one source's fetch: how many attempts so far, and whether a fault may be
 * followed by one more (a transient fault, attempts left, and time left in the one budget of
 * {@code SOURCE_TIMEOUT} that every attempt shares), after what pause.
 *
 * <p>Apart from SourceFetcher because the policy is not about HTTP or files: it is asked both
 * when opening a source fails and when its body breaks off in the middle of a load (RawLoad,
 * through {@link SourceFetcher.Fetch#mayRetry}), and it is the same rule either way.
 */
final class Attempts {

    /** SourceFetcher's: the retry lines keep the logger name they have always had in the log. */
    private static final Logger LOG = LoggerFactory.getLogger(SourceFetcher.class);

    /** One try and three more: enough for a blip, few enough that a dead upstream fails fast. */
    static final int MAX_ATTEMPTS = 4;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);

    private final SourceName source;
    private final long deadline;
    private int count;

    /** @param deadline the budget's end, in {@link System#nanoTime()} */
    Attempts(SourceName source, long deadline) {
        this.source = source;
        this.deadline = deadline;
    }

    /** Counts one more attempt, about to start. */
    void start() {
        count++;
    }

    /** How many attempts have started. */
    int count() {
        return count;
    }

    /** What is left of the budget; zero once it is spent. */
    Duration left() {
        long nanos = deadline - System.nanoTime();
        return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    /**
     * After {@code fault}, waits the pause before the next attempt and answers true, if the
     * fault is transient and attempts and budget are left; false otherwise (without waiting).
     * The pause is the upstream's Retry-After, or doubles from 250 ms.
     */
    boolean mayRetry(SourceException fault) {
        if (!fault.isTransient() || count >= MAX_ATTEMPTS) {
            return false;
        }
        Duration pause = fault.retryAfter() != null ? fault.retryAfter()
            : FIRST_PAUSE.multipliedBy(1L << (count - 1));
        // The next attempt needs time of its own after the pause, or it could only time out.
        // Compared as Durations, never as nanoseconds: an upstream may ask for years (Retry-After:
        // 10000000000, or a date in 9999), which no long of nanoseconds holds.
        if (pause.compareTo(left().minus(FIRST_PAUSE)) > 0) {
            return false;
        }
        LOG.warn("{} source: attempt {} of {} failed ({}); trying again in {} ms", source, count, MAX_ATTEMPTS,
            fault.getMessage(), pause.toMillis());
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }
}
