package dev.statedoses.util;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileSystemException;
import java.util.OptionalLong;

/** The process's limit on open descriptors ({@code ulimit -n}), which sockets and files share. */
public final class OpenFiles {

    /** The JDK's words for EMFILE, and the start of ENFILE's ("... in system"). */
    private static final String TOO_MANY_OPEN_FILES = "Too many open files";

    private OpenFiles() {
    }

    /** The limit; empty on a JVM that cannot say (not a Unix one). */
    public static OptionalLong limit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
            ? OptionalLong.of(unix.getMaxFileDescriptorCount())
            : OptionalLong.empty();
    }

    /** The limit in words: its number, or "unknown". */
    public static String describeLimit() {
        OptionalLong limit = limit();
        return limit.isPresent() ? Long.toString(limit.getAsLong()) : "unknown";
    }

    /**
     * Whether {@code failure} (or a cause) is this process running out of descriptors (EMFILE;
     * ENFILE, the whole machine's) wherever it opened one: a source's file or socket, a
     * connection to the warehouse. The JDK's words: a {@code FileSystemException}'s reason, a
     * socket's message, or a stream's "path (Too many open files)". An I/O failure only, and only
     * its reason: a source's line or a file's name that says so is not one.
     */
    public static boolean ranOut(Throwable failure) {
        return Failures.chain(failure).anyMatch(t -> t instanceof IOException io && tooManyOpenFiles(io));
    }

    private static boolean tooManyOpenFiles(IOException e) {
        String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        return reason != null && (reason.startsWith(TOO_MANY_OPEN_FILES)
            || !(e instanceof FileSystemException) && reason.matches("(?s).* \\(" + TOO_MANY_OPEN_FILES + "( in system)?\\)"));
    }
}
