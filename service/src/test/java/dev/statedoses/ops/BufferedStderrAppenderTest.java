package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The log's appender when stderr cannot be written for a while (its disk full). Logback's own
 * appender stopped for good at the first write that failed: the lines after the disk had room
 * again were never written, until a restart. Now the lines that could not be written are lost
 * and counted, and the first line written after says how many.
 */
class BufferedStderrAppenderTest {

    /** A file on a disk that may be full: every write fails while it is, as write(2) does with ENOSPC. */
    private static final class Disk extends OutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        volatile boolean full;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
            written.write(b, off, len);
        }
    }

    @Test
    void linesThatCannotBeWrittenAreCountedAndLoggingGoesOnOnceTheDiskHasRoom() {
        Disk disk = new Disk();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        // A buffer smaller than a line: each line is written at once, as a full 64 kB buffer is.
        BufferedStderrAppender appender = new BufferedStderrAppender(disk, 8);
        appender.setContext(context);
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern("%msg%n");
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        appender.setEncoder(encoder);
        appender.start();
        Logger logger = context.getLogger("test");
        try {
            appender.doAppend(event(logger, "the first line is written"));
            disk.full = true;
            appender.doAppend(event(logger, "the second line is lost"));
            appender.doAppend(event(logger, "the third line is lost too"));
            disk.full = false;
            appender.doAppend(event(logger, "the fourth line is written"));
            appender.doAppend(event(logger, "and the fifth"));
            assertTrue(appender.isStarted(), "the appender stopped");
        } finally {
            appender.stop();
        }
        assertEquals("""
            the first line is written
            the fourth line is written
            log: 2 line(s) before this one could not be written (No space left on device) and are lost
            and the fifth
            """, disk.written.toString(StandardCharsets.UTF_8));
    }

    private static LoggingEvent event(Logger logger, String message) {
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, null);
    }
}
