package dev.statedoses.warehouse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The turn of one process at starting, joining or stopping the embedded warehouse of a data
 * directory: an exclusive lock on a file beside it ({@code .dwh.start-lock} for {@code .dwh}; not
 * inside: initdb needs a new directory empty). Two processes started at once on one directory
 * raced: both ran initdb on it, or one found the other's half-started server, and one of them
 * exited 1 ("could not lock epg-lock; is the port taken?"). Taking turns, the second finds the
 * first's server running and joins it. Where the file cannot be made (a read-only parent), each
 * process goes on without a turn, as before.
 */
final class StartLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartLock.class);
    private static final String SUFFIX = ".start-lock";
    /** No turn: the file could not be made or locked, or the wait ended without it. */
    private static final StartLock NONE = new StartLock(null);

    /** The lock's file, open while the turn is held (closing it releases the lock); null for no turn. */
    private final FileChannel channel;

    private StartLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Waits for the turn on {@code dataDir}, at most {@code wait}; then throws, naming the lock's
     * file, when {@code required}, or goes on without it.
     */
    static StartLock take(Path dataDir, Duration wait, boolean required) {
        return take(dataDir, wait, required, StartSteps.unwatched());
    }

    /** As the one before, for a start: an exit while it waits ends the wait ({@link StartSteps#pause}). */
    static StartLock take(Path dataDir, Duration wait, boolean required, StartSteps steps) {
        Path file = dataDir.resolveSibling(dataDir.getFileName() + SUFFIX);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("no turn at the embedded warehouse's start ({} cannot be made: {})", file, e.getMessage());
            return NONE;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        while (true) {
            try {
                if (channel.tryLock() != null) {
                    return new StartLock(channel);
                }
            } catch (OverlappingFileLockException e) {
                // This JVM holds it: a signal during this process's own start, whose stop goes on
                // at once (no other process can be deciding meanwhile); another start in the same
                // process waits as for another process.
                if (!required) {
                    closeQuietly(channel);
                    return NONE;
                }
            } catch (IOException e) {
                closeQuietly(channel);
                LOG.debug("no turn at the embedded warehouse's start ({} cannot be locked: {})", file, e.getMessage());
                return NONE;
            }
            if (!told) {
                LOG.info("another process is starting or stopping the embedded warehouse in {}: waiting for it", dataDir);
                told = true;
            }
            if (System.nanoTime() > deadline) {
                closeQuietly(channel);
                if (!required) {
                    return NONE;
                }
                throw new WarehouseNotReadyException("another process has been starting or stopping the embedded "
                    + "warehouse in " + dataDir + " for " + wait.toSeconds() + " s (it holds " + file + "): is it "
                    + "stuck? Stop it, or wait for it to end", null);
            }
            try {
                steps.pause(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(channel);
                throw new WarehouseNotReadyException("interrupted while waiting for another process's start of the "
                    + "embedded warehouse in " + dataDir, e);
            } catch (StoppedDuringStartException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing held is left: a closed channel holds no lock
        }
    }
}
