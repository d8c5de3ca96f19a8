package dev.statedoses.ops;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.statedoses.text.Printable;

/**
 * {@code %escapedEx} in the log pattern (LogConfiguration): a logged exception's stack trace as
 * logback writes it (one line per frame, "Caused by:" and "Suppressed:" as usual), but with the message of the exception
 * and of each of its causes and suppressed exceptions escaped ({@link Printable#escape}). A
 * message often quotes outside text (a driver's error, a parser's view of a line), and a line
 * break in it would otherwise start a line that looks like a log line of its own. Stack frames
 * are our code's names, and stay as they are.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(Escaped.of(proxy));
    }

    /** A throwable as logback sees it, with its message (and its causes' messages) escaped. */
    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {

        static IThrowableProxy of(IThrowableProxy proxy) {
            return proxy == null ? null : new Escaped(proxy);
        }

        @Override
        public String getMessage() {
            String message = proxy.getMessage();
            return message == null ? null : Printable.escape(message);
        }

        /**
         * The first line as the throwable writes itself (its {@code toString()}), which logback
         * 1.6 prefers to class name and message: escaped too, or a message would reach the log
         * unescaped through it.
         */
        @Override
        public String getOverridingMessage() {
            String line = proxy.getOverridingMessage();
            return line == null ? null : Printable.escape(line);
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = of(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
