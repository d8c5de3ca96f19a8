package dev.statedoses.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.statedoses.util.DaemonThreads;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Log lines to stderr through a buffer that is written out every {@code flushMillis} (200 ms by
 * default), at once for WARN and ERROR, and when logging stops. One request log line per read
 * made the console's one write(2) per line, and the hand-off to logback's AsyncAppender thread,
 * a fifth of the service's CPU under load (measured with bench/reads.sh); lines now cost a copy
 * into the buffer under a lock, and a few writes a second. Nothing is dropped; an INFO line may
 * reach the terminal up to {@code flushMillis} late. The process writes out the rest by calling
 * {@link #stopLogging()} last thing before it exits (Main does, on both of its ways out).
 */
public final class BufferedStderrAppender extends OutputStreamAppender<ILoggingEvent> {

    private static final int BUFFER_BYTES = 64 * 1024;

    /**
     * Writes out every buffered line and stops logging. Not a logback shutdown hook: hooks run
     * side by side, and logging must outlive the service's own shutdown hook, which logs as it
     * stops the server.
     */
    public static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    private long flushMillis = 200;
    private ScheduledExecutorService flusher;

    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), BUFFER_BYTES));
        super.start();
        flusher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("log-flush"));
        flusher.scheduleWithFixedDelay(this::flush, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        super.subAppend(event);
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            flush();
        }
    }

    private void flush() {
        streamWriteLock.lock();
        try {
            if (getOutputStream() != null) {
                getOutputStream().flush();
            }
        } catch (IOException e) {
            addError("flushing the log to stderr failed", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** Flushes, but leaves stderr open: other writers (the JVM's own messages) still use it. */
    @Override
    protected void closeOutputStream() {
        flush();
    }

    @Override
    public void stop() {
        if (flusher != null) {
            flusher.shutdownNow();
        }
        flush();
        super.stop();
    }
}
