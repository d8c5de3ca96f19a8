package dev.statedoses.util;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for the service's background work: daemons, so that none keeps a stopping JVM alive
 * (each owner still stops its own when it closes), and named, so that a thread dump says whose
 * each one is.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A factory of daemon threads named {@code name}. */
    public static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
