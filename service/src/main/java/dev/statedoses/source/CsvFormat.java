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
        /** The next record, or null at the end of the body. */
        CsvRecord next();

        @Override
        void close();
    }

    /** One record: its fields as written (unquoted, trimmed) and the 1-based line it starts on. */
    record CsvRecord(long line, String[] fields) {
    }
}
