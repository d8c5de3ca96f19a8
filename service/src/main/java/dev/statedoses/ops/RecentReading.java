package dev.statedoses.ops;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One reading of the warehouse shared by the callers that wait for it at once: a flood of health
 * checks or scrapes makes one query at a time, not one per request, so it can neither starve the
 * pool nor queue behind itself. Each caller still gets a reading begun after it arrived, so what
 * it reports was true when it asked: a check right after a refresh sees that refresh.
 */
final class RecentReading<T> {

    private final Supplier<T> look;
    private final LongSupplier nanoTime;
    private final ReentrantLock looking = new ReentrantLock();
    private volatile Reading<T> last;

    private record Reading<T>(T value, long begunNanos) {
    }

    /** {@code look} reads the warehouse and never throws: a failure is a reading too. */
    RecentReading(Supplier<T> look, LongSupplier nanoTime) {
        this.look = look;
        this.nanoTime = nanoTime;
    }

    RecentReading(Supplier<T> look) {
        this(look, System::nanoTime);
    }

    T get() {
        long arrived = nanoTime.getAsLong();
        looking.lock();
        try {
            Reading<T> seen = last;
            if (seen != null && seen.begunNanos() - arrived >= 0) {
                return seen.value(); // begun after this caller came, while it waited for the lock
            }
            long begun = nanoTime.getAsLong();
            T value = look.get();
            last = new Reading<>(value, begun);
            return value;
        } finally {
            looking.unlock();
        }
    }
}
