package dev.statedoses.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL server that a data directory's {@code postmaster.pid} names, while it runs. The
 * server writes that file as it starts and removes it as it stops: line 1 is its PID, line 4 its
 * port.
 */
final class Postmaster {

    static final String PID_FILE = "postmaster.pid";

    private final Path dataDir;
    private final ProcessHandle process;
    private final int port;

    private Postmaster(Path dataDir, ProcessHandle process, int port) {
        this.dataDir = dataDir;
        this.process = process;
        this.port = port;
    }

    /** The server running on {@code dataDir}, if its postmaster.pid names a live PostgreSQL server process. */
    static Optional<Postmaster> runningOn(Path dataDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve(PID_FILE));
        } catch (IOException e) {
            return Optional.empty(); // no server: it removes the file as it stops
        }
        if (lines.size() < 4) {
            return Optional.empty(); // the server is still writing it
        }
        long pid;
        int port;
        try {
            pid = Long.parseLong(lines.get(0).trim());
            port = Integer.parseInt(lines.get(3).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
            .filter(Processes::running)
            .filter(process -> isServerOn(process, dataDir))
            .map(process -> new Postmaster(dataDir, process, port));
    }

    /**
     * Whether {@code process} is a PostgreSQL server on {@code dataDir}: a stale postmaster.pid
     * (a server killed outright) may name a PID that now belongs to another program, which must
     * never be signalled. Its executable must be {@code postgres}; where Linux shows its working
     * directory, that is the data directory (the server changes into it).
     */
    private static boolean isServerOn(ProcessHandle process, Path dataDir) {
        Optional<String> command = process.info().command();
        if (command.isEmpty() || !Path.of(command.get()).getFileName().toString().equals("postgres")) {
            return false;
        }
        try {
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
            return cwd.equals(dataDir.toRealPath());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true; // no /proc here, or not ours to read: the executable's name has to do
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /**
     * Stops the server with a fast shutdown and waits until it is gone, at most {@code timeout}.
     * SIGINT is PostgreSQL's fast shutdown: open transactions roll back (a refresh is one, so the
     * product stays whole) and the server stops at once. SIGTERM is its smart shutdown, which
     * waits for every client to leave, maybe for ever. Java can only send SIGTERM and SIGKILL, so
     * kill(1) sends SIGINT; SIGTERM is the fallback where it is missing. Never SIGKILL: a
     * postmaster killed outright leaves its server processes and shared memory behind.
     */
    void stop(Duration timeout) {
        if (!interrupt()) {
            process.destroy();
        }
        Path pidFile = dataDir.resolve(PID_FILE);
        long deadline = System.nanoTime() + timeout.toNanos();
        // The server removes postmaster.pid last, after closing its ports: once the file is gone
        // a new server can start here.
        while (Files.exists(pidFile) && Processes.running(process)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the PostgreSQL server (PID " + process.pid() + ") on " + dataDir
                    + " did not stop within " + timeout.toSeconds() + " s; stop it by hand (kill -INT "
                    + process.pid() + ") and start again");
            }
            sleep(100);
        }
    }

    /** Sends SIGINT with kill(1); false when that could not be done. */
    private boolean interrupt() {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PostgreSQL server to stop", e);
        }
    }
}
