package dev.statedoses.warehouse;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches the embedded library start a server, to end its wait when the server has already
 * stopped. The library runs {@code pg_ctl -w start}, which says within a tenth of a second that a
 * server could not start (it stopped at once: an unknown setting, a directory with the wrong
 * permissions, a damaged file), but the library does not look at it: it tries to connect for its
 * whole wait, a minute, and then gives up with its own words. This watch sees pg_ctl end with no
 * server running on the directory, interrupts the library's wait (which then returns), and keeps
 * the server's reason from its output ({@link ServerOutput}) for the start to throw.
 */
final class ServerStartWatch implements AutoCloseable {

    /** How often it looks: pg_ctl itself looks every tenth of a second. */
    private static final long LOOK_MILLIS = 50;
    /** How many looks in a row must find no pg_ctl and no server: a server's postmaster.pid is written in steps. */
    private static final int LOOKS_TO_BE_SURE = 2;
    /**
     * How long after the library was about to run pg_ctl a start with no pg_ctl seen, no word of
     * it and no server is taken for one whose pg_ctl came and went: an empty pg_ctl (unpacked onto
     * a full disk) ends at once, with success and without a word.
     */
    private static final long UNSEEN_MILLIS = 5_000;

    private final Path dir;
    private final ServerOutput output;
    private final Thread starting;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile long begunAt = -1;
    private volatile boolean ended;
    private Thread watch;

    ServerStartWatch(Path dir, ServerOutput output) {
        this.dir = dir;
        this.output = output;
        this.starting = Thread.currentThread();
    }

    /** Called as the library runs pg_ctl (its data directory customizer, the step before): from now on it watches. */
    void begin() {
        begunAt = output.end();
        Thread thread = new Thread(this::watch, "embedded-warehouse-start-watch");
        thread.setDaemon(true);
        watch = thread;
        thread.start();
    }

    /** Whether the library got as far as starting the server (initdb, where it ran, went well). */
    boolean begun() {
        return begunAt >= 0;
    }

    /**
     * The server's reason, when it stopped as it started, in its own words ({@link
     * ServerOutput#said}); empty while it did not. Once it has, the thread that started it is
     * interrupted until {@link #close}, which clears the interrupt.
     */
    Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    private void watch() {
        boolean pgCtlSeen = false;
        int emptyLooks = 0;
        long since = System.nanoTime();
        while (!ended) {
            boolean pgCtl = pgCtlRuns();
            pgCtlSeen |= pgCtl;
            boolean begunThere = pgCtlSeen || output.grownSince(begunAt)
                || System.nanoTime() - since > UNSEEN_MILLIS * 1_000_000;
            if (begunThere && !pgCtl && Postmaster.runningOn(dir).isEmpty()) {
                emptyLooks++;
            } else {
                emptyLooks = 0;
            }
            if (emptyLooks >= LOOKS_TO_BE_SURE) {
                failure.compareAndSet(null, output.saidSince(begunAt));
                // The library's wait returns when interrupted; until it does, again (a driver's
                // connect may have taken the first).
                starting.interrupt();
            }
            try {
                Thread.sleep(LOOK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Whether this process's pg_ctl for the directory runs (the library starts it as a child of the JVM). */
    private boolean pgCtlRuns() {
        String where = dir.toString();
        return ProcessHandle.current().children().filter(Processes::running).anyMatch(child -> {
            ProcessHandle.Info info = child.info();
            return info.command().map(command -> command.endsWith("/pg_ctl")).orElse(false)
                && info.arguments().map(List::of).map(arguments -> arguments.contains(where)).orElse(false);
        });
    }

    /** The library's start is over: the watch stops, and an interrupt it made is cleared. */
    @Override
    public void close() {
        ended = true;
        Thread thread = watch;
        if (thread != null) {
            thread.interrupt();
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the watch's own, made to end the library's wait, or another's
                }
            }
            if (interrupted && failure.get() == null) {
                Thread.currentThread().interrupt(); // not the watch's: kept
            }
        }
        if (failure.get() != null) {
            Thread.interrupted(); // the watch's own, made to end the library's wait
        }
    }
}
