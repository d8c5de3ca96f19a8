package dev.statedoses.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The process that started the embedded server on a data directory, and so has to stop it,
 * recorded in {@code state-doses.owner} there. A process that finds the server running reads it:
 * a live owner is joined, and a server whose owner is gone (killed outright, so it could not stop
 * it) is an orphan that nothing else would ever stop.
 *
 * <p>A process is named by its PID and when it started, so that a PID reused by another program
 * never passes for the owner. Where Linux has it, the start is also kept as clock ticks after
 * boot ({@link Processes#startTicks}), which are compared instead: two JVMs work out different
 * start instants for one process if the wall clock was set between them, and a live owner must
 * never look gone.
 */
final class WarehouseOwner {

    static final String FILE = "state-doses.owner";

    /** Start instants worked out by two JVMs may differ by this much (the boot time is read in whole seconds). */
    private static final Duration SAME_START = Duration.ofSeconds(1);

    private final long pid;
    private final Instant started;
    private final OptionalLong startTicks;
    /** Whether the owner, exiting, left the server running for other processes that used it. */
    private final boolean left;

    private WarehouseOwner(long pid, Instant started, OptionalLong startTicks) {
        this(pid, started, startTicks, false);
    }

    private WarehouseOwner(long pid, Instant started, OptionalLong startTicks, boolean left) {
        this.pid = pid;
        this.started = started;
        this.startTicks = startTicks;
        this.left = left;
    }

    /** This process. */
    static WarehouseOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new WarehouseOwner(self.pid(), self.info().startInstant().orElse(null), Processes.startTicks(self.pid()));
    }

    /** The owner recorded in {@code dataDir}; empty without a record, or with one this code cannot read. */
    static Optional<WarehouseOwner> recordedIn(Path dataDir) {
        Map<String, String> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(dataDir.resolve(FILE))) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    fields.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
            return Optional.of(new WarehouseOwner(Long.parseLong(fields.get("pid")),
                fields.containsKey("started") ? Instant.parse(fields.get("started")) : null,
                fields.containsKey("start_ticks") ? OptionalLong.of(Long.parseLong(fields.get("start_ticks")))
                    : OptionalLong.empty(),
                "true".equals(fields.get("left"))));
        } catch (IOException | NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Records this owner in {@code dataDir}, replacing any earlier record in one step. */
    void recordIn(Path dataDir) {
        write(dataDir, false);
    }

    /**
     * Records that this owner, exiting, has left the server running for other processes that use
     * it: the last of them to leave stops it, as it would for an owner gone.
     */
    void recordLeftIn(Path dataDir) {
        write(dataDir, true);
    }

    private void write(Path dataDir, boolean hasLeft) {
        StringBuilder text = new StringBuilder()
            .append("# The process that started the embedded PostgreSQL on this directory and stops it\n")
            .append("# (state-doses). Another process finding the server running with this owner gone stops it.\n")
            .append("pid=").append(pid).append('\n');
        if (started != null) {
            text.append("started=").append(started).append('\n');
        }
        startTicks.ifPresent(ticks -> text.append("start_ticks=").append(ticks).append('\n'));
        if (hasLeft) {
            text.append("left=true\n");
        }
        Path file = dataDir.resolve(FILE);
        Path temporary = dataDir.resolve(FILE + ".tmp");
        try {
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary); // an empty one, on a full disk
            } catch (IOException left) {
                // the write's failure is the one to report
            }
            // One line, as for a directory that cannot be made: it was an uncaught exception
            // (serve) or a refresh that failed "unexpectedly".
            throw new WarehouseNotReadyException("cannot write in the embedded warehouse's directory (its owner's"
                + " record, " + file + ": " + IoReason.of(e) + "): it must be writable by this process, on a disk"
                + " with free space", e);
        }
    }

    /** Removes the record from {@code dataDir} if it still names this owner. */
    void removeFrom(Path dataDir) {
        if (recordedIn(dataDir).filter(this::sameProcess).isPresent()) {
            try {
                Files.deleteIfExists(dataDir.resolve(FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + dataDir.resolve(FILE), e);
            }
        }
    }

    long pid() {
        return pid;
    }

    /** Whether {@code other} is this same process (see {@link #sameProcess}). */
    boolean isSameProcess(WarehouseOwner other) {
        return sameProcess(other);
    }

    /** Whether this owner has gone, or left the server to the processes that use it: no longer its to stop. */
    boolean isGone() {
        return left || !isAlive();
    }

    /** Whether this owner still runs: its PID is alive and started when recorded. */
    boolean isAlive() {
        return ProcessHandle.of(pid).filter(Processes::running)
            .map(process -> sameProcess(new WarehouseOwner(pid, process.info().startInstant().orElse(null),
                Processes.startTicks(pid))))
            .orElse(false);
    }

    /**
     * Same PID and same start, compared as exactly as both sides allow. With nothing to compare
     * (no start known) the PID decides: better to leave an orphan running than to stop a live
     * owner's server.
     */
    private boolean sameProcess(WarehouseOwner other) {
        if (pid != other.pid) {
            return false;
        }
        if (startTicks.isPresent() && other.startTicks.isPresent()) {
            return startTicks.getAsLong() == other.startTicks.getAsLong();
        }
        if (started != null && other.started != null) {
            return Duration.between(started, other.started).abs().compareTo(SAME_START) <= 0;
        }
        return true;
    }

    @Override
    public String toString() {
        return "PID " + pid;
    }
}
