package dev.statedoses.warehouse;

import dev.statedoses.text.Printable;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default warehouse when no DB_HOST is given: a real PostgreSQL 16 server run from the jar,
 * its data in a directory that survives restarts. When another state-doses process already runs
 * it (say `serve` while `refresh` starts), or is starting it, that server is used instead of
 * starting a second. The process that started it, its owner ({@link WarehouseOwner}), stops it as
 * it exits, unless other state-doses processes still use it: then the last of them to leave stops
 * it. A server whose owner is gone (killed outright, so it could not stop it) is stopped and a new
 * one started when no state-doses process uses it, and taken over when one does.
 */
public final class EmbeddedWarehouse implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);
    public static final String USER = "postgres";
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How long a start waits for another process's start of the server on the same directory (two
     * processes started at once): its initdb and first start on a new directory take seconds on a
     * busy machine.
     */
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    /** How long a stop waits for another process's turn at the directory, before it goes on without one. */
    private static final Duration STOP_TURN_WAIT = Duration.ofSeconds(10);
    /** How long what holds DB_PORT has to take the connection and answer: PostgreSQL answers at once. */
    private static final Duration PROBE_WAIT = Duration.ofSeconds(2);
    /** How long a PostgreSQL server found on DB_PORT has to log us in and say where its data is. */
    private static final Duration LOGIN_WAIT = Duration.ofSeconds(5);
    /** The major version of the server run from the jar (the binaries the build pins); a test checks it. */
    static final int MAJOR = 16;

    private final EmbeddedPostgres server;
    private final Path dataDir;
    private final int port;
    private final WarehouseOwner owner;
    /** Whether this process took over a server it did not start, whose owner was gone: it stops it as an owner does. */
    private final boolean adopted;
    /**
     * A session a process that did not start the server holds on it while it runs: the owner, about
     * to exit, sees it (and leaves the server running) from the moment the join is decided, before
     * the joiner's pool has connected.
     */
    private Connection presence;

    /** The hook that stops the server if the JVM ends before the service's shutdown takes it over. */
    private Thread untilHandedOver;
    private boolean closed;

    private EmbeddedWarehouse(EmbeddedPostgres server, Path dataDir, int port, WarehouseOwner owner, boolean adopted) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.owner = owner;
        this.adopted = adopted;
    }

    /**
     * Starts (or joins) the server on {@code port} with its data in {@code dataDir}, and ensures
     * {@code database} exists. A server already running there is joined while its owner lives, on
     * the port it runs on ({@link #port()}), and stopped first when its owner is gone. A port held
     * by anything else (another PostgreSQL server, another program) is refused in one line.
     */
    public static EmbeddedWarehouse start(Path dataDir, int port, String database, StartSteps steps) {
        Path dir = dataDir.toAbsolutePath().normalize();
        boolean made = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            // A start that cannot begin: one line, as for a warehouse it cannot reach, not a
            // refresh that failed "unexpectedly" (refresh --json said internal-error).
            throw new WarehouseNotReadyException("cannot create the embedded warehouse's directory " + dir + " ("
                + e + "): set DWH_DIR to a directory this process may write", e);
        }
        // One process at a time decides, starts and stops here: two started at once (say `serve`
        // and a `refresh`) raced for the directory, and one exited 1.
        OwnStart own = new OwnStart(dir, steps);
        try (StartLock turn = StartLock.take(dir, START_WAIT, true, steps)) {
            return startInTurn(dir, port, database, own);
        } catch (RuntimeException e) {
            removeIfEmpty(dir, made);
            throw e;
        } finally {
            own.ended();
        }
    }

    /**
     * A start that failed before anything was written (DB_PORT taken, a signal) takes back the
     * directory it made for the warehouse, while it is empty: an empty DWH_DIR was left behind,
     * which looks like a warehouse that lost its data. (The start lock beside it stays, as it does
     * after every start: another process may be waiting on it.)
     */
    private static void removeIfEmpty(Path dir, boolean made) {
        if (!made) {
            return;
        }
        try {
            Files.delete(dir);
        } catch (IOException e) {
            // not empty (initdb began, or another process's start has), or gone already
        }
    }

    private static EmbeddedWarehouse startInTurn(Path dir, int port, String database, OwnStart own) {
        EmbeddedPostgres server = null;
        WarehouseOwner me = WarehouseOwner.current();
        Optional<Postmaster> running = Postmaster.runningOn(dir);
        Optional<WarehouseOwner> recorded = WarehouseOwner.recordedIn(dir);
        boolean ownerGone = running.isPresent() && recorded.isPresent() && recorded.get().isGone();
        boolean adopted = false;
        if (ownerGone) {
            long users = stateDosesSessions(running.get().port());
            if (users == 0) {
                running.get().stop(ORPHAN_STOP_TIMEOUT);
                LOG.warn("embedded warehouse left running by a stopped process ({}): stopped it, starting afresh"
                    + " (its PostgreSQL server was PID {}, data in {})", recorded.get(), running.get().pid(), dir);
                running = Optional.empty();
            } else {
                // Another state-doses process still works on it (it joined while the owner lived):
                // stopping it failed that process's refresh. Taken over instead, to be stopped by
                // the last process to leave.
                me.recordIn(dir);
                adopted = true;
                LOG.warn("embedded warehouse left running by a stopped process ({}), and used by {} session(s) of"
                    + " other state-doses processes: taking it over (its PostgreSQL server is PID {}, data in {})",
                    recorded.get(), users, running.get().pid(), dir);
            }
        }
        int at = port;
        if (running.isPresent()) {
            // A live owner, or none recorded: a server started by hand, or by an owner that has not
            // recorded itself yet (a new directory is recorded once the server runs). Never ours to
            // stop, unless taken over above.
            String startedBy = adopted ? "a stopped process, taken over"
                : recorded.map(WarehouseOwner::toString).orElse("a process that did not record itself");
            at = running.get().port();
            if (at == port) {
                LOG.info("embedded warehouse already running on port {} (data in {}, started by {}): using it",
                    port, dir, startedBy);
            } else {
                // Joined where it runs, whatever DB_PORT says: `refresh` and `serve` on one DWH_DIR share
                // its warehouse. A second server on this directory cannot start (PostgreSQL locks its
                // data directory), and refusing left a refresh that could never run beside the service.
                LOG.warn("embedded warehouse already running on port {}, not DB_PORT's {} (data in {}, started by {}):"
                    + " using it on port {}", at, port, dir, startedBy, at);
            }
        } else if (ownServerAnswersOn(port, dir)) {
            LOG.info("embedded warehouse already running on port {} (data in {}): using it", port, dir);
        } else {
            own.begin();
            server = startOwn(dir, port, me);
        }
        EmbeddedWarehouse warehouse = new EmbeddedWarehouse(server, dir, at, me, adopted);
        own.made(warehouse);
        warehouse.stopOnExitUntilHandedOver(own);
        createDatabaseIfMissing(at, database);
        if (server == null) {
            warehouse.presence = presence(at);
        }
        LOG.info("warehouse: embedded PostgreSQL, data in {}; psql, read-only: psql -h 127.0.0.1 -p {} -U {} {}",
            dir, at, ReaderRole.NAME, database);
        return warehouse;
    }

    /**
     * Until the service's own shutdown takes the server over ({@link #handOver}), a JVM that ends
     * stops it: a SIGTERM or Ctrl-C during the start (the migrations, the product's read, the
     * warm-up) left it running with no process of ours, holding its port until the next start.
     * Not after: the service's shutdown stops it once requests in flight are done, and two hooks
     * run side by side. Either hook lets the start's step under way end first (StartSteps).
     */
    private void stopOnExitUntilHandedOver(OwnStart own) {
        if (!owns()) {
            return; // joined, not ours to stop
        }
        if (server != null) {
            untilHandedOver = own.hook(); // on since before the start (OwnStart)
            return;
        }
        Thread hook = new Thread(() -> {
            own.steps.awaitEnd();
            close();
        }, "embedded-warehouse-stop");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            untilHandedOver = hook;
        } catch (IllegalStateException shuttingDown) {
            // The JVM is ending already: the caller's failure closes it.
        }
    }

    /** The service's shutdown stops the server from now on (see {@link #stopOnExitUntilHandedOver}). */
    public synchronized void handOver() {
        Thread hook = untilHandedOver;
        untilHandedOver = null;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ending already: the hook runs, and close() stops the server once.
            }
        }
    }

    /**
     * The stop on exit of a server this process starts itself, on from before its start: a
     * SIGTERM or Ctrl-C while the library ran initdb and the server's start (a second or two on a
     * new directory) left a server with no process of ours, and, on a new directory, with no
     * owner recorded either (a new directory is claimed once its server runs), which no later
     * start ever stopped: it joined it as a server "started by hand". A JVM that ends during the
     * start now waits for it to end, then stops what it started: through the warehouse once it is
     * made (as {@link #close} stops it), after the service's step under way (StartSteps), or else
     * (the library gave up on a server that came up after all) the server the directory's
     * postmaster.pid names, unless another process has claimed it since.
     */
    private static final class OwnStart {

        /** The longest a JVM that ends waits for the start: the library's own wait, and a margin. */
        private static final Duration WAIT = START_WAIT.plusSeconds(10);

        private final Path dir;
        private final StartSteps steps;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile EmbeddedWarehouse made;
        private Thread hook;

        OwnStart(Path dir, StartSteps steps) {
            this.dir = dir;
            this.steps = steps;
        }

        /** Called just before this process starts its own server: from now on, an exit stops it. */
        void begin() {
            steps.next();
            Thread stop = new Thread(this::stopAtExit, "embedded-warehouse-stop");
            try {
                Runtime.getRuntime().addShutdownHook(stop);
                hook = stop;
            } catch (IllegalStateException shuttingDown) {
                // The JVM is ending already: no server is started that nothing would stop.
                throw new StoppedDuringStartException();
            }
        }

        void made(EmbeddedWarehouse warehouse) {
            made = warehouse;
        }

        /**
         * The start ended: the hook may act. A start that failed before the warehouse was made
         * takes its hook off, unless the JVM is ending already (the hook then stops what the
         * start may have left): a later exit must not stop another process's server there.
         */
        void ended() {
            done.countDown();
            if (made == null && hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now
                }
            }
        }

        /** The hook that stops the server at exit, or null when none is on. */
        Thread hook() {
            return hook;
        }

        private void stopAtExit() {
            try {
                if (!done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("the embedded warehouse's start on {} did not end within {} s of the exit; stopping"
                        + " what runs there", dir, WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            EmbeddedWarehouse warehouse = made;
            if (warehouse != null) {
                steps.awaitEnd(); // the start's next step stops it, and closes the warehouse
                warehouse.close();
                return;
            }
            Optional<WarehouseOwner> recorded = WarehouseOwner.recordedIn(dir);
            if (recorded.isEmpty() || recorded.get().isSameProcess(WarehouseOwner.current())) {
                Postmaster.runningOn(dir).ifPresent(server -> server.stop(ORPHAN_STOP_TIMEOUT));
            }
        }
    }

    /** Starts a server of our own on {@code dir} and records {@code me} as its owner. */
    private static EmbeddedPostgres startOwn(Path dir, int port, WarehouseOwner me) {
        // An existing warehouse is claimed before its server starts, so that no process starting
        // meanwhile takes an earlier owner's record (of a process now gone) for this server's and
        // stops it. A new directory must be empty for initdb, so it is claimed once it runs.
        boolean existing = Files.exists(dir.resolve("postgresql.conf"));
        if (existing) {
            refuseAnotherMajor(dir);
            me.recordIn(dir);
        }
        ServerOutput output = ServerOutput.beside(dir);
        EmbeddedPostgres server;
        ServerStartWatch watch = new ServerStartWatch(dir, port, output);
        try (watch) {
            server = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // The library gives a server 10 s to start, then gives up on it: two JVMs starting
                // at once on two busy cores took longer for a new directory's initdb and start.
                .setPGStartupWait(START_WAIT)
                // The embedded library tunes its server for throwaway test data (fsync and
                // synchronous commit off); this one keeps the warehouse, so it must be durable.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // Stopped by Warehouse.close(), after the service has drained its requests
                // (Main's shutdown hook). The library's own hook would stop it at the same
                // time, under requests still in flight: JVM shutdown hooks run side by side.
                .setRegisterShutdownHook(false)
                // What initdb, pg_ctl and the server print, kept where a failed start can quote it.
                .setOutputRedirector(output.redirect())
                .setErrorRedirector(output.redirect())
                // Run just before pg_ctl, after initdb: a server that stops as it starts ends
                // the library's wait, and an initdb that made nothing stops the start.
                .setDataDirectoryCustomizer(data -> {
                    requireInitdbMadeIt(dir, existing);
                    watch.begin();
                })
                .start();
        } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
            // (The library wraps a failure to unpack its programs in an ExceptionInInitializerError.)
            stopWhatStarted(dir);
            me.removeFrom(dir);
            if (e instanceof WarehouseStartException start) {
                throw start;
            }
            throw notStarted(dir, existing, port, watch, output, e);
        } catch (Error e) {
            // Out of threads or memory as the library waits: no line of ours can be trusted to
            // be made, but the server started must not be left running with its owner gone.
            stopWhatStarted(dir);
            throw e;
        }
        if (watch.failure().isPresent()) {
            // The library's wait, interrupted, returned. Its object is not closed: its stop
            // signals whatever PID postmaster.pid names, and a stale file naming another
            // program's PID is one reason a server stops as it starts.
            stopWhatStarted(dir);
            me.removeFrom(dir);
            throw notStarted(dir, existing, port, watch, output, null);
        }
        if (!existing) {
            me.recordIn(dir);
        }
        return server;
    }

    /**
     * The server this start brought up, if it runs, stopped as the start fails: one the library
     * gave up on (it could not reach it) was left running, owned by no one, and every later start
     * joined it as a server "started by hand" and failed on it, even once its configuration was
     * mended. Ours to stop: no server ran on the directory when this process took its turn there.
     * Found by its postmaster.pid, which must name a PostgreSQL process working in the directory.
     */
    private static void stopWhatStarted(Path dir) {
        try {
            Postmaster.runningOn(dir).ifPresent(server -> server.stop(ORPHAN_STOP_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.warn("the embedded warehouse's server on {}, whose start failed, could not be stopped: {}", dir,
                e.getMessage());
        }
    }

    /**
     * On a new directory, initdb must have made a data directory: one that made nothing ended
     * with success and without a word (an empty program, its file unpacked onto a full disk), and
     * the start went on to wait a minute for a server that could never start.
     */
    private static void requireInitdbMadeIt(Path dir, boolean existing) {
        if (!existing && !Files.exists(dir.resolve("PG_VERSION"))) {
            throw new IllegalStateException("initdb ended without a word and without making a data directory");
        }
    }

    /**
     * The library's lock file in a new directory whose start failed after initdb, when nothing
     * else is there (initdb made nothing): left, it made the next start's initdb refuse the
     * directory as not empty.
     */
    private static void removeLibraryLockIfAlone(Path dir) {
        try (Stream<Path> inside = Files.list(dir)) {
            List<Path> files = inside.toList();
            if (files.size() == 1 && files.get(0).getFileName().toString().equals("epg-lock")) {
                Files.delete(files.get(0));
            }
        } catch (IOException | UncheckedIOException e) {
            // left as it is: the next start's initdb names what it finds
        }
    }

    /**
     * A start of our own server that failed, in one line: in the words of PostgreSQL's programs
     * where they said any (the server's reason for stopping as it started, or initdb's for not
     * making the directory), else the library's, with what may be the cause (a port taken, a
     * temporary directory it cannot write its binaries to).
     */
    private static WarehouseNotReadyException notStarted(Path dir, boolean existing, int port, ServerStartWatch watch,
                                                         ServerOutput output, Throwable e) {
        if (!existing) {
            removeLibraryLockIfAlone(dir);
        }
        String start = "cannot start the embedded warehouse in " + dir + " on port " + port;
        Optional<String> damage = Binaries.damage();
        if (damage.isPresent()) {
            return new WarehouseNotReadyException(start + ": " + damage.get(), e);
        }
        Optional<String> failure = watch.failure();
        if (failure.isPresent()) {
            return new WarehouseNotReadyException(start + ": its PostgreSQL server " + failure.get() + output.whereKept()
                + rootHint(failure.get()), e);
        }
        String said = watch.begun() ? "" : output.saidSinceStart();
        if (!said.isEmpty()) {
            // initdb's refusal: of the directory (not empty, not a directory, not writable), of
            // the locale it runs under, or its bootstrap's (a full disk).
            return new WarehouseNotReadyException(start + ": initdb could not make it a data directory, saying: "
                + said + output.whereKept() + initdbHint(said) + rootHint(said), e);
        }
        // The library's words; a failure to unpack its programs comes wrapped, without a message
        // of its own. Its guesses only where it gave up waiting: where it says why (a program it
        // cannot run, a lock it cannot take), the reason is in its words.
        String reason = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause().toString()
            : String.valueOf(e.getMessage());
        String guesses = reason.startsWith("Gave up waiting") ? "; is the port taken? set DB_PORT" : "";
        return new WarehouseNotReadyException(start + " (" + Printable.shorten(reason, 300) + guesses + ")"
            + output.whereKept(), e);
    }

    /**
     * PostgreSQL's programs refuse to run as root; the library runs them in a user namespace of
     * their own (`unshare -U`) where it can, and as root where it cannot, and they said only that
     * they cannot be run as root.
     */
    private static String rootHint(String said) {
        return said.contains("cannot be run as root")
            ? "; run the service as another user than root, or give it util-linux's unshare on the PATH (the embedded"
                + " library runs PostgreSQL's programs through it, as another user, when it runs as root)"
            : "";
    }

    /** What to do about initdb's refusal, where there is one thing to do: the library gives initdb UTF-8. */
    private static String initdbHint(String said) {
        if (said.contains("exists but is not empty")) {
            return "; set DWH_DIR to a new or empty directory";
        }
        if (said.contains("locale") || said.contains("encoding mismatch")) {
            return "; start it under a UTF-8 locale (LANG or LC_ALL, for example C.UTF-8)";
        }
        return "";
    }

    /**
     * A data directory another major version of PostgreSQL made (a DWH_DIR kept from a build that
     * ran another, or a server's own directory): the server from the jar cannot read it and stops
     * at once, and the start said only "connect failed" (its server's words are not logged).
     * Refused before anything is written there, saying what to do.
     */
    private static void refuseAnotherMajor(Path dir) {
        String made;
        try {
            made = Files.readString(dir.resolve("PG_VERSION")).strip();
        } catch (IOException e) {
            return; // no version to compare: the server says what it makes of the directory
        }
        if (!made.equals(Integer.toString(MAJOR))) {
            throw new WarehouseNotReadyException("its data was made by PostgreSQL "
                + Printable.shorten(Printable.escape(made), 20) + ", and the embedded server is PostgreSQL " + MAJOR
                + ", which cannot read it. Set DWH_DIR to another directory to start afresh (the first refresh "
                + "loads the sources again), or move the data over with pg_dump and pg_restore", null);
        }
    }

    public int port() {
        return port;
    }

    /**
     * What holds 127.0.0.1:{@code port} before a server of our own starts there: nothing (false: start
     * one), or a PostgreSQL server keeping its data in {@code dataDir} (true: ours, to be joined).
     * Anything else is refused in one line. It was not: a program that took the connection and
     * never answered (a web server, a socket that never accepts) hung the start for ever in the
     * library's readiness check, which reads without a timeout (the server it started had bound
     * ::1 only, and "localhost" reached the other program); and another PostgreSQL server
     * stopped the start as an internal error, with a stack trace.
     */
    private static boolean ownServerAnswersOn(int port, Path dataDir) {
        String where = "port " + port + " on 127.0.0.1";
        String freeIt = "; set DB_PORT to a free port for the embedded warehouse";
        PortHolder holder = PortHolder.on(port);
        if (holder.free()) {
            return false;
        }
        if (holder.notPostgres() != null) {
            throw new WarehouseNotReadyException(where + " is taken by a program that does not answer as PostgreSQL ("
                + holder.notPostgres() + ")" + freeIt, null);
        }
        // PostgreSQL answers there: whose data does it keep? Every wait bounded, so that a server that
        // stalls after its first answer cannot hang the start either.
        Path theirs;
        try (Connection c = superuserSession(port, "state-doses port check");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("show data_directory")) {
            r.next();
            theirs = Path.of(r.getString(1)).toAbsolutePath().normalize();
        } catch (SQLException e) {
            // It answered as PostgreSQL, and did not let us in as the local superuser, as ours does
            // (a password asked for, no such role, its own error, or no answer in time): another server.
            throw new WarehouseNotReadyException(where + " is taken by another PostgreSQL server (the embedded"
                + " warehouse cannot log in there as " + USER + ": "
                + Printable.shorten(String.valueOf(e.getMessage()), 200) + ")" + freeIt, e);
        }
        if (!theirs.equals(dataDir.toAbsolutePath().normalize())) {
            throw new WarehouseNotReadyException(where + " is taken by another PostgreSQL server (data in "
                + Printable.escape(theirs.toString()) + ")" + freeIt, null);
        }
        return true;
    }

    /**
     * What listens on 127.0.0.1:{@code port}: nothing ({@code free}, the connection refused), a
     * PostgreSQL server (neither free nor a reason why it is not PostgreSQL), or another program,
     * with a short reason. Asked as PostgreSQL's clients begin ({@link ServerProbe#ask}): the
     * driver's reasons ("the connection attempt failed") cannot tell a silent program from a
     * refused port.
     */
    private record PortHolder(boolean free, String notPostgres) {

        static PortHolder on(int port) {
            ServerProbe.Reply reply = ServerProbe.ask("127.0.0.1", port, PROBE_WAIT);
            return switch (reply.outcome()) {
                // Refused: free (anything stranger, the library's start says).
                case UNREACHED -> new PortHolder(true, null);
                case POSTGRES -> new PortHolder(false, null);
                // Its queue of connections not yet accepted is full: something holds the port.
                case CONNECT_TIMED_OUT -> other("it took no connection within " + PROBE_WAIT.toSeconds() + " s");
                case SILENT -> other("it said nothing within " + PROBE_WAIT.toSeconds()
                    + " s to PostgreSQL's first message");
                case DROPPED -> other("it closed the connection at PostgreSQL's first message");
                case OTHER -> other("it answered PostgreSQL's first message with " + reply.quoted());
            };
        }

        private static PortHolder other(String why) {
            return new PortHolder(false, why);
        }
    }

    /**
     * A session as the local superuser on the server at 127.0.0.1:{@code port}, in its postgres
     * database, named {@code application}: every wait bounded, so that a server that stalls after
     * its first answer cannot hang a start or an exit.
     */
    private static Connection superuserSession(int port, String application) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", Long.toString(PROBE_WAIT.toSeconds()));
        props.setProperty("loginTimeout", Long.toString(LOGIN_WAIT.toSeconds()));
        props.setProperty("socketTimeout", Long.toString(LOGIN_WAIT.toSeconds()));
        props.setProperty("ApplicationName", application);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    private static void createDatabaseIfMissing(int port, String database) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, USER, "");
             Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery(
                "select 1 from pg_database where datname = '" + database.replace("'", "''") + "'")) {
                if (r.next()) {
                    return;
                }
            }
            s.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " in the embedded warehouse", e);
        }
    }

    /** A session of this process on the server at {@code port}, held until it closes; null if it cannot be had. */
    private static Connection presence(int port) {
        try {
            return superuserSession(port, "state-doses presence");
        } catch (SQLException e) {
            LOG.debug("no presence session on the embedded warehouse: {}", e.getMessage());
            return null;
        }
    }

    private void closePresence() {
        if (presence != null) {
            try {
                presence.close();
            } catch (SQLException e) {
                // the server went first: nothing is held
            }
            presence = null;
        }
    }

    /** Whether this process stops the server as it exits: it started it, or took it over. */
    private boolean owns() {
        return server != null || adopted;
    }

    /**
     * Stops the server if this process owns it and no other state-doses process uses it (those
     * leave it to the last of them to go), or if this process joined it, its owner is gone, and
     * no other uses it: the last to leave stops it, so that no PostgreSQL outlives every service,
     * and none stops under another's refresh.
     */
    @Override
    public synchronized void close() {
        if (Thread.currentThread() != untilHandedOver) {
            handOver(); // stopped now: no hook is left to stop it again at exit
        }
        if (closed) {
            return;
        }
        closed = true;
        closePresence();
        // In turn: a process joining meanwhile is seen (its presence session) before this one
        // decides to stop the server.
        try (StartLock turn = StartLock.take(dataDir, STOP_TURN_WAIT, false)) {
            closeInTurn();
        }
    }

    private void closeInTurn() {
        Optional<Postmaster> running = Postmaster.runningOn(dataDir);
        if (!owns()) {
            Optional<WarehouseOwner> recorded = WarehouseOwner.recordedIn(dataDir);
            if (running.isPresent() && recorded.isPresent() && recorded.get().isGone() && !stillUsed()) {
                running.get().stop(ORPHAN_STOP_TIMEOUT);
                recorded.get().removeFrom(dataDir);
                LOG.info("stopped the embedded warehouse, which its owner ({}) left running for this process (data in {})",
                    recorded.get(), dataDir);
            }
            return;
        }
        if (running.isPresent() && stillUsed()) {
            // Recorded as left: the last process to leave sees it and stops the server (as for an
            // owner gone), and a start meanwhile takes it over.
            owner.recordLeftIn(dataDir);
            LOG.info("embedded warehouse left running for the other state-doses processes that use it (data in {});"
                + " the last of them to leave stops it", dataDir);
            return;
        }
        try {
            if (server != null) {
                server.close();
            } else if (running.isPresent()) {
                running.get().stop(ORPHAN_STOP_TIMEOUT);
            }
        } catch (IOException | IllegalStateException e) {
            LOG.warn("embedded warehouse did not stop cleanly: {}", e.getMessage());
        }
        // Only a server that is gone loses its owner: while it runs, the record (of a process
        // about to exit) lets the next start know it for an orphan and stop it.
        if (Postmaster.runningOn(dataDir).isEmpty()) {
            owner.removeFrom(dataDir);
        } else {
            LOG.warn("embedded warehouse on {} still runs after stopping it; the next start will stop it", dataDir);
        }
    }

    /**
     * Whether sessions of other state-doses processes are open on the server: looked at a few
     * times over half a second, since this process's own sessions, closed just before, may take a
     * moment to leave the server's list.
     */
    private boolean stillUsed() {
        for (int look = 0; look < 3; look++) {
            if (stateDosesSessions(port) == 0) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true; // cannot look again: leaving it running is the safe side
            }
        }
        return true;
    }

    /**
     * The sessions of other state-doses processes (application names beginning so: the service's
     * pool, its listener, a start's checks) open on the server at {@code port}; this process's own
     * (its pool is still open when a signal during the start stops the server) are told by their
     * local ports. 0 when it cannot be asked (the server stopping or gone).
     */
    static long stateDosesSessions(int port) {
        String ours = OwnSockets.localPorts().stream().map(String::valueOf).collect(Collectors.joining(","));
        try (Connection c = superuserSession(port, "state-doses session count");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'"
                 + " and application_name like 'state-doses%' and pid <> pg_backend_pid()"
                 + (ours.isEmpty() ? "" : " and client_port not in (" + ours + ")"))) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            return 0;
        }
    }

}
