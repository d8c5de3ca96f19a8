package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The service's logging as {@link LogConfiguration} sets it up: what the service process writes
 * with it is checked by ServiceProcessTest; here, what it builds, on a context of the test's own.
 */
class LogConfigurationTest {

    @Test
    void logbackFindsItAsAConfigurator() {
        List<Class<?>> found = new ArrayList<>();
        ServiceLoader.load(Configurator.class).forEach(c -> found.add(c.getClass()));
        assertEquals(List.of(LogConfiguration.class), found);
    }

    @Test
    void aLogbackTestXmlOnTheClassPathIsLeftToLogback() {
        // The tests' class path holds one: the tests log as it says, not as the service does.
        LoggerContext context = new LoggerContext();
        LogConfiguration configuration = new LogConfiguration();
        configuration.setContext(context);
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, configuration.configure(context));
        assertEquals(List.of(), appenders(context.getLogger(Logger.ROOT_LOGGER_NAME)));
    }

    @Test
    void theServiceLogsInfoAndUpToStderrThroughTheEscapingLayout() {
        LoggerContext context = new LoggerContext();
        LogConfiguration.configureService(context);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        List<Appender<ILoggingEvent>> appenders = appenders(root);
        assertEquals(1, appenders.size());
        BufferedStderrAppender stderr = assertInstanceOf(BufferedStderrAppender.class, appenders.get(0));
        assertTrue(stderr.isStarted());
        PatternLayout layout = assertInstanceOf(PatternLayout.class,
            assertInstanceOf(LayoutWrappingEncoder.class, stderr.getEncoder()).getLayout());
        assertEquals(LogConfiguration.PATTERN, layout.getPattern());

        // A line as the service writes it: its run, and a forged line break escaped.
        String line = layout.doLayout(event(context, Map.of("run_id", "7")));
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.123\\S* WARN  X run=7 bad header a\\\\nb\\R"),
            line);
        // Without a run, no " run=".
        String withoutRun = layout.doLayout(event(context, Map.of()));
        assertTrue(withoutRun.matches("\\S+ WARN  X bad header a\\\\nb\\R"), withoutRun);

        assertEquals(Level.WARN, context.getLogger("org.flywaydb").getLevel());
        assertEquals(Level.ERROR,
            context.getLogger("org.flywaydb.core.internal.proprietaryStubs.ErrorOverridesSupportStub").getLevel());
        assertEquals(Level.WARN, context.getLogger("org.eclipse.jetty").getLevel());
        assertEquals(Level.ERROR, context.getLogger("org.eclipse.jetty.util.HostPort").getEffectiveLevel());
        assertEquals(Level.ERROR, context.getLogger("org.eclipse.jetty.http.HttpParser").getEffectiveLevel());
        assertEquals(Level.WARN, context.getLogger("org.eclipse.jetty.server.Server").getEffectiveLevel());
        stderr.stop();
    }

    private static LoggingEvent event(LoggerContext context, Map<String, String> mdc) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger("dev.statedoses.refresh.X"),
            Level.WARN, "bad header {}", null, new Object[] {"a\nb"});
        event.setInstant(Instant.parse("2026-11-30T05:00:00.123Z"));
        event.setMDCPropertyMap(mdc);
        return event;
    }

    private static List<Appender<ILoggingEvent>> appenders(Logger logger) {
        List<Appender<ILoggingEvent>> all = new ArrayList<>();
        logger.iteratorForAppenders().forEachRemaining(all::add);
        return all;
    }
}
