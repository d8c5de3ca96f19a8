package dev.statedoses.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The converters every log line is written with: whatever a value holds, it cannot start a line. */
class EscapedLogConvertersTest {

    private static final String FORGED = "jurisdic\n2026-01-01T00:00:00.000Z ERROR Forged line";
    private static final String SHOWN = "jurisdic\\n2026-01-01T00:00:00.000Z ERROR Forged line";

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("Test");

    private LoggingEvent event(String message, Throwable thrown, Object... args) {
        return new LoggingEvent(Logger.class.getName(), logger, Level.WARN, message, thrown, args);
    }

    /** A layout like LogConfiguration's, with the converters registered as it does. */
    private PatternLayout layout() {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("escapedMsg", EscapedMessageConverter::new);
        layout.getInstanceConverterMap().put("escapedEx", EscapedThrowableConverter::new);
        layout.setPattern("%-5level %logger{0} %escapedMsg%n%escapedEx");
        layout.start();
        return layout;
    }

    @Test
    void aValueWithALineBreakStaysOnItsLine() {
        String line = layout().doLayout(event("header has no column jurisdiction: {}", null, FORGED));
        assertEquals(List.of("WARN  Test header has no column jurisdiction: " + SHOWN), line.lines().toList());
    }

    @Test
    void everyControlCharacterIsEscapedNotOnlyLineBreaks() {
        EscapedMessageConverter converter = new EscapedMessageConverter();
        assertEquals("a\\rb\\tc\\u0000d\\u001be\\u0085f\\u2028g",
            converter.convert(event("{}", null, "a\rb\tc\u0000d\u001be\u0085f\u2028g")));
    }

    @Test
    void aCleanMessageIsPassedOnAsItIs() {
        LoggingEvent event = event("method={} path={} status={}", null, "GET", "/ratios/New%20York", 200);
        // The same String: nothing copied on the request log's path when nothing needs escaping.
        assertSame(event.getFormattedMessage(), new EscapedMessageConverter().convert(event));
    }

    @Test
    void exceptionMessagesAreEscapedAndTheStackTraceKeepsItsLines() {
        IllegalStateException cause = new IllegalStateException("driver said\nERROR Forged cause");
        RuntimeException thrown = new RuntimeException(FORGED, cause);
        thrown.addSuppressed(new IllegalArgumentException("suppressed\r\nERROR Forged suppressed"));
        List<String> lines = layout().doLayout(event("GET /x failed", thrown)).lines().toList();

        assertEquals("WARN  Test GET /x failed", lines.get(0));
        assertEquals("java.lang.RuntimeException: " + SHOWN, lines.get(1));
        assertTrue(lines.contains("\tSuppressed: java.lang.IllegalArgumentException: suppressed\\r\\nERROR Forged suppressed"),
            String.join("\n", lines));
        assertTrue(lines.contains("Caused by: java.lang.IllegalStateException: driver said\\nERROR Forged cause"),
            String.join("\n", lines));
        // Every further line is a frame, an omitted-frames count, or a cause's or suppressed one's first line.
        for (String line : lines.subList(2, lines.size())) {
            assertTrue(line.matches("\\t+(at |\\.\\.\\. \\d+ common frames omitted|Suppressed: java\\.lang\\.).*")
                || line.startsWith("Caused by: java.lang."), "a line of its own: " + line);
        }
    }

    @Test
    void aStackTraceWithCleanMessagesIsLogbacksOwn() {
        RuntimeException thrown = new RuntimeException("plain", new NullPointerException());
        LoggingEvent event = event("failed", thrown);
        ThrowableProxyConverter stock = new ThrowableProxyConverter();
        EscapedThrowableConverter escaped = new EscapedThrowableConverter();
        stock.setContext(context);
        escaped.setContext(context);
        stock.start();
        escaped.start();
        assertEquals(stock.convert(event), escaped.convert(event));
    }

    /** Both configurations write messages and exceptions through the converters, never %msg or %ex. */
    @Test
    void theLoggingConfigurationsUseTheConverters() throws IOException {
        assertTrue(LogConfiguration.PATTERN.endsWith(" %escapedMsg%n%escapedEx"), LogConfiguration.PATTERN);
        String xml;
        try (InputStream in = EscapedLogConvertersTest.class.getResourceAsStream("/logback-test.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String pattern = xml.substring(xml.indexOf("<pattern>"), xml.indexOf("</pattern>"));
        assertTrue(pattern.endsWith(" %escapedMsg%n%escapedEx"), "logback-test.xml: " + pattern);
        assertTrue(xml.contains("class=\"" + EscapedMessageConverter.class.getName() + "\""), xml);
        assertTrue(xml.contains("class=\"" + EscapedThrowableConverter.class.getName() + "\""), xml);
    }
}
