package dev.statedoses.warehouse;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's start as its shutdown hooks see it. A SIGTERM or Ctrl-C during the start ran the
 * hook that stops the embedded server at once, under the statements of the thread still starting
 * (the migrations, the reader's grants, the product's read): a dozen warnings and stack traces of
 * the pool's and JDBI's, and a last line that blamed the warehouse ("FATAL: terminating connection
 * due to administrator command"). Now a hook that would stop what the start uses marks the exit
 * ({@link #awaitEnd}) and waits for the starting thread, which stops before its next step
 * ({@link #next}), closes what it opened and says so, and then says it has {@link #ended}.
 */
public final class StartSteps {

    private static final Logger LOG = LoggerFactory.getLogger(StartSteps.class);
    /**
     * How long a JVM that ends during the start waits for the step under way: a new warehouse's
     * migrations take a second or two; teardown.sh sends SIGKILL 20 s after its SIGTERM.
     */
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AtomicBoolean exiting = new AtomicBoolean();
    private final CountDownLatch exitMarked = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);

    /** A start no one watches: a hook acts at once, as before there were steps. */
    public static StartSteps unwatched() {
        StartSteps steps = new StartSteps();
        steps.ended();
        return steps;
    }

    /**
     * A shutdown hook of its own that waits, at most 10 s, for the start to end: the
     * start then stops at its next step on a signal whatever its warehouse (an external one has
     * no hook of the embedded server's to wait there), and says so, rather than die mid-step.
     */
    public void watchExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::awaitEnd, "start-steps"));
    }

    /** Before a step of the start: once the JVM has begun to exit, the start stops here. */
    public void next() {
        if (exiting.get()) {
            throw new StoppedDuringStartException();
        }
    }

    /**
     * A pause of {@code millis} between two looks of a wait of the start (for another process's
     * start of the embedded server, for another session's hold on the migrations' lock), which
     * the exit ends at once: those waits last up to a minute, and a Ctrl-C during one would
     * otherwise wait out the hooks' 10 s.
     */
    public void pause(long millis) throws InterruptedException {
        if (exitMarked.await(millis, TimeUnit.MILLISECONDS)) {
            throw new StoppedDuringStartException();
        }
    }

    /**
     * Whether the JVM began to exit while the start was under way: a start that failed then may
     * have failed of it (a step longer than a hook waits for), and is said to have stopped.
     */
    public boolean exiting() {
        return exiting.get();
    }

    /**
     * The start is over: it serves (the service's own shutdown is in charge from now on), failed,
     * or stopped, and has said so. A hook waiting in {@link #awaitEnd} goes on.
     */
    public void ended() {
        ended.countDown();
    }

    /**
     * For a shutdown hook: marks the exit and waits, at most 10 s, for the start to end.
     * Returns whether it did; a step that takes longer (a statement behind a lock) is not waited
     * for past the bound, and the hook then acts under it, as it did before.
     */
    boolean awaitEnd() {
        if (ended.getCount() == 0) {
            return true;
        }
        if (exiting.compareAndSet(false, true)) {
            LOG.info("asked to stop during the start: stopping after the step under way");
            exitMarked.countDown();
        }
        try {
            return ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
