package dev.statedoses.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** What Linux's /proc/PID/stat tells about a process that ProcessHandle does not. */
final class Processes {

    private Processes() {
    }

    /**
     * Whether the process runs: alive for ProcessHandle, and not a zombie. An exited process stays
     * in the table until its parent reaps it, and ProcessHandle calls it alive until then; a
     * server or a service whose parent has gone is reaped by PID 1, which does not always reap.
     */
    static boolean running(ProcessHandle process) {
        return process.isAlive() && !stat(process.pid()).map(fields -> fields[0].equals("Z")).orElse(false);
    }

    /**
     * When the process started, in clock ticks after boot (field 22), where /proc has it. Unlike
     * ProcessHandle's start instant it does not move when the wall clock is set.
     */
    static OptionalLong startTicks(long pid) {
        return stat(pid).map(fields -> OptionalLong.of(Long.parseLong(fields[19]))).orElse(OptionalLong.empty());
    }

    /** The fields of /proc/PID/stat from field 3 (the state) on. */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Field 2, the command name, is in parentheses and may hold spaces: count after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" +");
            return fields.length >= 20 ? Optional.of(fields) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
