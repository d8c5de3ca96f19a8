package dev.statedoses.util;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/** The process's limit on open descriptors ({@code ulimit -n}), which sockets and files share. */
public final class OpenFiles {

    private OpenFiles() {
    }

    /** The limit; empty on a JVM that cannot say (not a Unix one). */
    public static OptionalLong limit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
            ? OptionalLong.of(unix.getMaxFileDescriptorCount())
            : OptionalLong.empty();
    }
}
