package dev.statedoses.warehouse;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into a table with PostgreSQL's COPY, the fastest way in: rows are encoded as CSV
 * into a small buffer that is flushed as it fills, so memory stays flat however large the source.
 */
public final class CopyWriter implements AutoCloseable {

    private static final int FLUSH_AT = 64 * 1024;

    /** Null for a writer that encodes and throws the bytes away ({@link #discarding()}). */
    private final CopyIn copy;
    private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
    private boolean firstField = true;
    private long rows;

    private CopyWriter(CopyIn copy) {
        this.copy = copy;
    }

    /** Begins {@code COPY table (columns) FROM STDIN} on the connection (within its transaction). */
    public static CopyWriter begin(Connection connection, String table, String... columns) {
        String sql = "copy " + table + " (" + String.join(", ", columns) + ") from stdin with (format csv)";
        try {
            return new CopyWriter(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
        } catch (SQLException e) {
            throw new WarehouseException("cannot start loading " + table, e);
        }
    }

    /**
     * A writer that encodes rows exactly as {@link #begin} does and throws the bytes away: the
     * warm-up runs the encoding on generated rows without a warehouse.
     */
    public static CopyWriter discarding() {
        return new CopyWriter(null);
    }

    public CopyWriter field(String value) {
        separate();
        if (value != null) {
            buffer.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    buffer.append('"');
                }
                buffer.append(c);
            }
            buffer.append('"');
        }
        // Unquoted empty is NULL in COPY's CSV format; a quoted empty string stays a string.
        return this;
    }

    public CopyWriter field(long value) {
        separate();
        buffer.append(value);
        return this;
    }

    public CopyWriter field(Object value) {
        return field(value == null ? null : value.toString());
    }

    public void endRow() {
        buffer.append('\n');
        firstField = true;
        rows++;
        if (buffer.length() >= FLUSH_AT) {
            flush();
        }
    }

    private void separate() {
        if (!firstField) {
            buffer.append(',');
        }
        firstField = false;
    }

    private void flush() {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        if (copy == null) {
            buffer.setLength(0);
            return;
        }
        try {
            copy.writeToCopy(bytes, 0, bytes.length);
        } catch (SQLException e) {
            throw new WarehouseException("loading rows failed", e);
        }
        buffer.setLength(0);
    }

    /** Sends what is buffered and ends the COPY; returns the rows the server took. */
    public long finish() {
        flush();
        if (copy == null) {
            return rows;
        }
        long copied;
        try {
            copied = copy.endCopy();
        } catch (SQLException e) {
            throw new WarehouseException("loading rows failed", e);
        }
        if (copied != rows) {
            throw new IllegalStateException("COPY took " + copied + " rows, " + rows + " were sent");
        }
        return copied;
    }

    /** Abandons an unfinished COPY (the transaction rolls back anyway; this frees the connection). */
    @Override
    public void close() {
        if (copy != null && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException e) {
                // The transaction is rolled back by the caller; a failed cancel changes nothing.
            }
        }
    }
}
