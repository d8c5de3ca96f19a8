package dev.statedoses.ops;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.statedoses.text.Printable;

/**
 * {@code %escapedMsg} in the log pattern (LogConfiguration): the formatted message with its
 * control characters escaped ({@link Printable#escape}), so a logged value (a source's header, a request's path, a driver's
 * message) can never end the line and start one of its own, such as a forged {@code ERROR} line.
 * A log line is always one line, whatever its values hold, without every call site having to
 * remember it. The cost per line is one scan of the message; nothing is allocated when nothing
 * needs escaping, the common case, so the request log under load pays almost nothing.
 */
public final class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Printable.escape(super.convert(event));
    }
}
