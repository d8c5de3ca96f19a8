package dev.statedoses.warehouse;

import dev.statedoses.text.Printable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches the embedded library start a server, to end its wait when the server has already
 * stopped. The library runs {@code pg_ctl -w start}, which says within a tenth of a second that a
 * server could not start (it stopped at once: an unknown setting, a directory with the wrong
 * permissions, a damaged file), but the library does not look at it: it tries to connect for its
 * whole wait, a minute, and then gives up with its own words. This watch sees pg_ctl end with no
 * server running on the directory, interrupts the library's wait (which then returns), and keeps
 * the server's reason from its output ({@link ServerOutput}) for the start to throw. It does the
 * same for a server that pg_ctl saw ready but that cannot be reached as the library reaches it
 * (listen_addresses, pg_hba.conf): the library waited its minute for it too.
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

    /**
     * How long a server that pg_ctl saw ready may go unreached by the library before the watch
     * tries a connection of its own: the library tries every tenth of a second.
     */
    private static final long UNREACHED_MILLIS = 2_000;

    private final Path dir;
    private final int port;
    private final ServerOutput output;
    private final Thread starting;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile long begunAt = -1;
    private volatile boolean ended;
    private Thread watch;

    ServerStartWatch(Path dir, int port, ServerOutput output) {
        this.dir = dir;
        this.port = port;
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
     * What became of the server, when it stopped as it started or runs where it cannot be
     * reached, with its own words ({@link ServerOutput#said}): "stopped as it started, saying: …";
     * empty while neither. Once there is one, the thread that started it is interrupted until
     * {@link #close}, which clears the interrupt.
     */
    Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    private void watch() {
        boolean pgCtlSeen = false;
        int emptyLooks = 0;
        long since = System.nanoTime();
        long upSince = -1;
        boolean tried = false;
        while (!ended) {
            boolean pgCtl = pgCtlRuns();
            pgCtlSeen |= pgCtl;
            boolean begunThere = pgCtlSeen || output.grownSince(begunAt)
                || System.nanoTime() - since > UNSEEN_MILLIS * 1_000_000;
            boolean running = !Postmaster.runningOn(dir).isEmpty();
            if (begunThere && !pgCtl && !running) {
                emptyLooks++;
            } else {
                emptyLooks = 0;
            }
            if (emptyLooks >= LOOKS_TO_BE_SURE) {
                String said = output.saidSince(begunAt);
                failure.compareAndSet(null, said.isEmpty() ? "stopped as it started, without a word"
                    : "stopped as it started, saying: " + said);
            }
            // pg_ctl saw the server ready and ended, and the library still cannot reach it: a
            // server that listens elsewhere than 127.0.0.1, or whose pg_hba.conf turns us away.
            // The library waited its minute, and left that server running.
            if (!begunThere || pgCtl || !running) {
                upSince = -1;
            } else if (upSince < 0) {
                upSince = System.nanoTime();
            }
            if (!tried && upSince >= 0 && System.nanoTime() - upSince > UNREACHED_MILLIS * 1_000_000) {
                tried = true;
                unreached().ifPresent(why -> failure.compareAndSet(null, why));
            }
            if (failure.get() != null) {
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

    /**
     * Why the running server cannot be reached as the library reaches it (127.0.0.1, the
     * superuser, without a password), in the driver's words; empty when it can be.
     */
    private Optional<String> unreached() {
        Properties props = new Properties();
        props.setProperty("user", EmbeddedWarehouse.USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "5");
        props.setProperty("socketTimeout", "5");
        props.setProperty("ApplicationName", "state-doses start check");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props)) {
            return Optional.empty();
        } catch (SQLException e) {
            if (ended) {
                return Optional.empty(); // the library reached it meanwhile, and the start's end cut this try short
            }
            // The driver's words hold the server's refusal, if it refused (pg_hba.conf): its log
            // has the same, once per attempt of the library's.
            return Optional.of("started, but could not be reached on 127.0.0.1:" + port + " (" + Printable.shorten(
                String.valueOf(e.getMessage()), 300) + "; see listen_addresses in its postgresql.conf, and its"
                + " pg_hba.conf): it was stopped");
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
