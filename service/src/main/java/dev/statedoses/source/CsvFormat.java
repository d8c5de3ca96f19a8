package dev.statedoses.source;

import java.io.Reader;

/**
 * The one thing we need from a CSV library: records with the line they start on. Kept this small
 * so the parser behind it (univocity today) can be swapped without touching the source readers.
 */
public interface CsvFormat {

    CsvRecords open(Reader reader);

    /** A forward-only cursor over the records of one body. */
    interface CsvRecords extends AutoCloseable {
        /**
         * The next record, or null at the end of the body. Throws {@link MalformedCsvException}
         * for text that is not CSV, {@link java.io.UncheckedIOException} when reading fails, and
         * passes on any other exception the underlying reader threw.
         */
        CsvRecord next();

        @Override
        void close();
    }

    /** Text that cannot be parsed as CSV, near {@code line}. */
    final class MalformedCsvException extends RuntimeException {
        private final long line;

        public MalformedCsvException(long line, String message) {
            super(message);
            this.line = line;
        }

        public long line() {
            return line;
        }
    }

    /** One record: its fields as written (unquoted, trimmed) and the 1-based line it starts on. */
    record CsvRecord(long line, String[] fields) {
    }
}
