package dev.statedoses.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The service's logging, set up in code when logback starts (found through
 * META-INF/services/ch.qos.logback.classic.spi.Configurator): not from a logback.xml, whose
 * reading (an XML parser and logback's configuration model, about 400 classes) took 0.19 s of a
 * 1.5 s start. A configuration file still wins when one is asked for: {@code
 * -Dlogback.configurationFile=...}, or a logback-test.xml on the class path (the tests'); then
 * logback reads it as usual.
 *
 * <p>Logs go to stderr, one line per event, so {@code refresh} can print its table on stdout.
 * Lines are buffered and written every 200 ms (WARN and ERROR at once): one request log line per
 * read must not cost a write(2), or a hand-off to another thread, on every request
 * ({@link BufferedStderrAppender} says what that cost). Main writes out the rest as it exits.
 *
 * <p>A line is always one line, whatever the values logged hold: {@code %escapedMsg} is the
 * message with its control characters escaped (a line break in a source's header is written
 * {@code \n}, and cannot start a forged line), {@code %escapedEx} a stack trace whose exception
 * messages are escaped alike ({@link EscapedMessageConverter}, {@link EscapedThrowableConverter}).
 * Use them, never {@code %msg} or {@code %ex}. The other fields are ours: a level, a class name,
 * and run_id, which is a number.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {

    /**
     * The line: time, level, class, the run if any, the escaped message and stack trace. The time
     * is UTC, as every other time the service writes: in the JVM's zone, a line read
     * 2026-12-03T05:42:25.308+14:00 under Pacific/Kiritimati, another date than its run's.
     */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level %logger{0}"
        + "%run %escapedMsg%n%escapedEx";

    /**
     * Loggers quieter than INFO. Flyway creates schema dwh to hold its history before V1 runs, so
     * V1's "create schema if not exists dwh" draws PostgreSQL's notice "already exists, skipping",
     * which Flyway logs as a WARN on every new warehouse: expected, and notices of migrations say
     * nothing else (Flyway 13 logs a statement's notices from ErrorOverridesSupportStub; up to 11
     * it was DefaultSqlScriptExecutor). The libraries' INFO lines say nothing an operator needs.
     * Jetty's reading of HTTP messages (org.eclipse.jetty.http, HttpParser among them, and the
     * Host header's util.HostPort) logs a WARN for each malformed request it refuses with a 400
     * ("Bad port [99999]", two Host headers): any client could fill the log with them, and they
     * are the client's fault, answered as such. The embedded library's LinuxUtils logs an ERROR
     * with a stack trace when it cannot write its probe of the Linux distribution to
     * java.io.tmpdir, before the start fails for the same reason in one line of ours; when it
     * can, it logs nothing. Its EmbeddedPostgres logs an ERROR with a stack trace for each file it
     * could not unpack (8,658 lines on a full java.io.tmpdir) and goes on; the start that fails
     * then finds the damage and says it in one line (warehouse.Binaries). Its other WARN and
     * ERROR lines are of a stop that failed, which the warehouse's close looks at itself.
     */
    static final Map<String, Level> LEVELS = Map.of(
        "io.zonky", Level.WARN,
        "io.zonky.test.db.postgres.util.LinuxUtils", Level.OFF,
        "io.zonky.test.db.postgres.embedded.EmbeddedPostgres", Level.OFF,
        "org.flywaydb.core.internal.proprietaryStubs.ErrorOverridesSupportStub", Level.ERROR,
        "org.flywaydb", Level.WARN,
        "com.zaxxer.hikari", Level.WARN,
        "org.eclipse.jetty", Level.WARN,
        "org.eclipse.jetty.http", Level.ERROR,
        "org.eclipse.jetty.util.HostPort", Level.ERROR,
        "io.javalin", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
            || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configureService(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The service's configuration on {@code context}, whatever the class path holds. */
    static void configureService(LoggerContext context) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("escapedMsg", EscapedMessageConverter::new);
        layout.getInstanceConverterMap().put("escapedEx", EscapedThrowableConverter::new);
        layout.getInstanceConverterMap().put("run", RunConverter::new);
        layout.setPattern(PATTERN);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        // UTF-8, as the command line's own lines (Main): in the machine's charset, a source's
        // ñ quoted in a failure was a ? under LANG=C and a lone byte 0xF1 under Latin-1.
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        BufferedStderrAppender appender = new BufferedStderrAppender();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }
}
