package dev.statedoses.source;

import java.net.URI;

/**
 * A source could not be read, or said something we cannot load. Carries what an operator needs
 * to find the fault: which source, its URL and, for content errors, the line and column.
 */
public final class SourceException extends RuntimeException {

    /** What went wrong, which decides the HTTP status: the upstream (502/504) or its content (422). */
    public enum Kind { UNAVAILABLE, TIMEOUT, CONTENT }

    private final Kind kind;
    private final SourceName source;
    private final URI url;
    private final Long line;
    private final String column;

    private SourceException(Kind kind, SourceName source, URI url, Long line, String column,
                            String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.source = source;
        this.url = url;
        this.line = line;
        this.column = column;
    }

    public static SourceException unavailable(SourceName source, URI url, String message, Throwable cause) {
        return new SourceException(Kind.UNAVAILABLE, source, url, null, null, message, cause);
    }

    public static SourceException timeout(SourceName source, URI url, String message, Throwable cause) {
        return new SourceException(Kind.TIMEOUT, source, url, null, null, message, cause);
    }

    public static SourceException content(SourceName source, URI url, Long line, String column, String message) {
        return new SourceException(Kind.CONTENT, source, url, line, column, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public SourceName source() {
        return source;
    }

    public URI url() {
        return url;
    }

    /** The 1-based line of the source the error is on, or null when it is not about one line. */
    public Long line() {
        return line;
    }

    /** The column (header name) the error is in, or null. */
    public String column() {
        return column;
    }

    /** One line for logs and the command line: source, URL, position and message. */
    public String describe() {
        StringBuilder where = new StringBuilder(source.label()).append(" source (").append(url).append(')');
        if (line != null) {
            where.append(", line ").append(line);
        }
        if (column != null) {
            where.append(", column ").append(column);
        }
        return where.append(": ").append(getMessage()).toString();
    }
}
