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
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Log lines to stderr through a buffer that is written out every {@code flushMillis} (200 ms by
 * default), at once for WARN and ERROR, and when logging stops. One request log line per read
 * made the console's one write(2) per line, and the hand-off to logback's AsyncAppender thread,
 * a fifth of the service's CPU under load (measured with bench/reads.sh); lines now cost a copy
 * into the buffer under a lock, and a few writes a second. An INFO line may reach the terminal up
 * to {@code flushMillis} late; only a line that cannot be written at all (a full disk) is lost,
 * counted, and logging goes on ({@link #writeOut}). The process writes out the rest by calling
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

    /**
     * Writes out the lines buffered so far, now, and logging goes on: a line the command line
     * prints on stderr itself comes after the log lines said before it. An INFO line waited up to
     * 200 ms, and a SIGTERM during the start printed `stopped before the refresh began` above the
     * lines of the steps it had waited for.
     */
    public static void writeOutNow() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
                if (appender instanceof BufferedStderrAppender buffered && buffered.isStarted()) {
                    buffered.flush();
                }
            });
        }
    }

    private final OutputStream target;
    private final int bufferBytes;
    private long flushMillis = 200;
    private ScheduledExecutorService flusher;
    /** Lines that could not be written since the last one that could, and why the last of them could not. */
    private final AtomicLong dropped = new AtomicLong();
    private volatile String dropReason;

    public BufferedStderrAppender() {
        this(new FileOutputStream(FileDescriptor.err), BUFFER_BYTES);
    }

    /** Writing to {@code target} through a buffer of {@code bufferBytes}: for the tests. */
    BufferedStderrAppender(OutputStream target, int bufferBytes) {
        this.target = target;
        this.bufferBytes = bufferBytes;
    }

    public void setFlushMillis(long flushMillis) {
        this.flushMillis = flushMillis;
    }

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(target, bufferBytes));
        super.start();
        flusher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("log-flush"));
        flusher.scheduleWithFixedDelay(() -> {
            try {
                flush();
            } catch (RuntimeException | Error e) {
                // A task that throws is never run again: INFO lines then waited for a WARN, or the end.
                addError("flushing the log failed", e);
            }
        }, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * One line into the buffer. A line that cannot be written (stderr's disk full: the buffer is
     * full and cannot be written out) is dropped and counted, and logging goes on; the first line
     * written after says how many were lost. Logback's own appender stopped for good at the first
     * write that failed: a disk full for a minute left the service without a log line until it
     * was restarted.
     */
    @Override
    protected void writeOut(ILoggingEvent event) throws IOException {
        try {
            super.writeOut(event);
        } catch (IOException e) {
            dropReason = e.getMessage();
            dropped.incrementAndGet();
            return;
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            byte[] notice = ("log: " + lost + " line(s) before this one could not be written (" + dropReason
                + ") and are lost\n").getBytes(StandardCharsets.UTF_8);
            streamWriteLock.lock();
            try {
                getOutputStream().write(notice);
            } catch (IOException e) {
                dropped.addAndGet(lost);
            } finally {
                streamWriteLock.unlock();
            }
        }
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
