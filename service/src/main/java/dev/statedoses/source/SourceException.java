package dev.statedoses.source;

import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import java.net.URI;
import java.time.Duration;

/**
 * A source could not be read, or said something we cannot load. Carries what an operator needs
 * to find the fault: which source, its URL and, for content errors, the line and column (and the
 * state, for a fault in a state's population). Its text is safe to log and to store: control
 * characters are escaped and its length is bounded.
 */
public final class SourceException extends RuntimeException {

    /**
     * What went wrong, which decides the HTTP status: the upstream (502/504), its content (422), or
     * a body that ends before its end (422: a download cut short).
     */
    public enum Kind { UNAVAILABLE, TIMEOUT, CONTENT, TRUNCATED }

    /** Enough for any message of ours; a longer one quotes too much of a source. */
    static final int MAX_MESSAGE = 600;

    private final Kind kind;
    private final SourceName source;
    private final URI url;
    private final Long line;
    private final String column;
    private final String state;
    private final boolean transientFault;
    private final Duration retryAfter;
    private final int attempts;

    private SourceException(Kind kind, SourceName source, URI url, Long line, String column, String state,
                            String message, Throwable cause, boolean transientFault, Duration retryAfter,
                            int attempts) {
        super(Printable.shorten(withoutSecrets(message, url), MAX_MESSAGE), cause);
        this.kind = kind;
        this.source = source;
        this.url = url;
        this.line = line;
        this.column = Printable.shorten(column, 80);
        this.state = Printable.shorten(state, 80);
        this.transientFault = transientFault;
        this.retryAfter = retryAfter;
        this.attempts = attempts;
    }

    public static SourceException unavailable(SourceName source, URI url, String message, Throwable cause) {
        return new SourceException(Kind.UNAVAILABLE, source, url, null, null, null, message, cause, false, null, 1);
    }

    /**
     * A fault of the upstream that a second try may not meet: a 5xx, a 429, a refused or reset
     * connection. {@code retryAfter} is what the upstream asked us to wait, or null.
     */
    public static SourceException transientFault(SourceName source, URI url, String message, Throwable cause,
                                                 Duration retryAfter) {
        return new SourceException(Kind.UNAVAILABLE, source, url, null, null, null, message, cause, true,
            retryAfter, 1);
    }

    public static SourceException timeout(SourceName source, URI url, String message, Throwable cause) {
        return new SourceException(Kind.TIMEOUT, source, url, null, null, null, message, cause, false, null, 1);
    }

    public static SourceException content(SourceName source, URI url, Long line, String column, String message) {
        return new SourceException(Kind.CONTENT, source, url, line, column, null, message, null, false, null, 1);
    }

    /** The body ends where a complete file cannot: inside a value, a line or its promised length. */
    public static SourceException truncated(SourceName source, URI url, Long line, String message) {
        return new SourceException(Kind.TRUNCATED, source, url, line, null, null, message, null, false, null, 1);
    }

    /** This fault, about the row of {@code state}: its population, or its doses. */
    public SourceException aboutState(String state) {
        return new SourceException(kind, source, url, line, column, state, getMessage(), getCause(), transientFault,
            retryAfter, attempts);
    }

    /** This fault, as the last of {@code attempts} tries to fetch the source. */
    public SourceException afterAttempts(int attempts) {
        return new SourceException(kind, source, url, line, column, state, getMessage(), getCause(), transientFault,
            retryAfter, attempts);
    }

    public Kind kind() {
        return kind;
    }

    public SourceName source() {
        return source;
    }

    /** The URL as configured, secrets and all: for this process only, never to be shown. */
    public URI url() {
        return url;
    }

    /** The URL as it may be shown (logs, problem details, the run log): its secrets hidden. */
    public String shownUrl() {
        return Redaction.url(url);
    }

    /**
     * A message with the source's whole URL in it (a library's words, say) shows it redacted: our
     * own messages never quote it, and its secrets must not reach a log line through another's.
     */
    private static String withoutSecrets(String message, URI url) {
        if (message == null || url == null) {
            return message;
        }
        String shown = Redaction.url(url);
        String raw = url.toString();
        return shown.equals(raw) ? message : message.replace(raw, shown);
    }

    /** The 1-based line of the source the error is on, or null when it is not about one line. */
    public Long line() {
        return line;
    }

    /** The column (header name) the error is in, or null. */
    public String column() {
        return column;
    }

    /** The state whose population is at fault, or null. */
    public String state() {
        return state;
    }

    /** Whether trying the fetch again may succeed (the upstream failed, not its content). */
    public boolean isTransient() {
        return transientFault;
    }

    /** How long the upstream asked us to wait before trying again (Retry-After), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** How many times the source was fetched before this error stood (1: no retry). */
    public int attempts() {
        return attempts;
    }

    /** One line for logs, problem details and the run log: source, URL, position and message. */
    public String describe() {
        StringBuilder where = new StringBuilder(source.label()).append(" source (")
            .append(Printable.shorten(shownUrl(), 300)).append(')');
        if (line != null) {
            where.append(", line ").append(line);
        }
        if (column != null) {
            where.append(", column ").append(column);
        }
        if (state != null) {
            where.append(", state ").append(state);
        }
        where.append(": ").append(getMessage());
        if (attempts > 1) {
            where.append(" (after ").append(attempts).append(" attempts)");
        }
        return where.toString();
    }
}
