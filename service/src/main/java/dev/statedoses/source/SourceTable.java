package dev.statedoses.source;

import dev.statedoses.source.CsvFormat.CsvRecord;
import dev.statedoses.source.CsvFormat.CsvRecords;
import dev.statedoses.source.CsvFormat.MalformedCsvException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A CSV source read by header name: columns may come in any order and extra columns are ignored.
 * Every error it raises names the source, its URL, the line and the column.
 */
final class SourceTable implements AutoCloseable {

    private final SourceStream stream;
    private final CsvRecords records;
    private final String[] header;
    private final Map<String, Integer> columns;

    private SourceTable(SourceStream stream, CsvRecords records, String[] header, Map<String, Integer> columns) {
        this.stream = stream;
        this.records = records;
        this.header = header;
        this.columns = columns;
    }

    static SourceTable open(SourceStream stream, CsvFormat csv, String... requiredColumns) {
        CsvRecords records = guarded(stream, null, () -> csv.open(new LenientUtf8Reader(stream)));
        CsvRecord first = next(stream, records);
        if (first == null) {
            records.close();
            throw SourceException.content(stream.source(), stream.url(), null, null,
                "the body is empty: expected a CSV header");
        }
        String[] header = first.fields();
        String start = String.join(",", Arrays.stream(header).map(h -> h == null ? "" : h).toList()).strip();
        if (start.startsWith("<") || start.startsWith("{") || start.startsWith("[")) {
            records.close();
            throw SourceException.content(stream.source(), stream.url(), first.line(), null,
                "the body is not CSV (it starts with '" + abbreviate(start) + "'): an error page?");
        }
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            columns.putIfAbsent(SourceValues.headerKey(header[i]), i);
        }
        List<String> missing = new ArrayList<>();
        for (String required : requiredColumns) {
            if (!columns.containsKey(SourceValues.headerKey(required))) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            records.close();
            throw SourceException.content(stream.source(), stream.url(), first.line(), null,
                "the header has no column " + String.join(", ", missing)
                    + " (it has: " + abbreviate(start) + ")");
        }
        return new SourceTable(stream, records, header, columns);
    }

    boolean has(String column) {
        return columns.containsKey(SourceValues.headerKey(column));
    }

    /** The position of a column the table was opened with (look it up once, read it every row). */
    int column(String column) {
        Integer index = columns.get(SourceValues.headerKey(column));
        if (index == null) {
            throw new IllegalArgumentException("no column " + column);
        }
        return index;
    }

    /** The next data row, or null at the end of the body. */
    Row next() {
        CsvRecord record = next(stream, records);
        if (record == null) {
            return null;
        }
        if (record.fields().length != header.length) {
            throw error(record.line(), null, "the row has " + record.fields().length
                + " fields, the header has " + header.length + " (a cut-off body or a stray separator?)");
        }
        return new Row(record);
    }

    /** The next record, with the reader's failures turned into errors that name the source. */
    private static CsvRecord next(SourceStream stream, CsvRecords records) {
        return guarded(stream, records, records::next);
    }

    private static <T> T guarded(SourceStream stream, CsvRecords records, Supplier<T> step) {
        try {
            return step.get();
        } catch (UncheckedIOException e) {
            close(records);
            throw SourceException.unavailable(stream.source(), stream.url(),
                "reading the body failed after " + stream.bytes() + " bytes: " + e.getCause().getMessage(), e);
        } catch (MalformedCsvException e) {
            close(records);
            throw SourceException.content(stream.source(), stream.url(), e.line(), null,
                "the body is not valid CSV: " + e.getMessage());
        } catch (RuntimeException e) {
            close(records);
            throw e;
        }
    }

    private static void close(CsvRecords records) {
        if (records != null) {
            records.close();
        }
    }

    SourceException error(Long line, String column, String message) {
        return SourceException.content(stream.source(), stream.url(), line, column, message);
    }

    @Override
    public void close() {
        records.close();
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    /** One data row; each typed read names its column in the error it may raise. */
    final class Row {
        private final CsvRecord record;

        private Row(CsvRecord record) {
            this.record = record;
        }

        long line() {
            return record.line();
        }

        String text(int index) {
            String field = record.fields()[index];
            return field == null ? "" : field;
        }

        /** The field at {@code index} (see {@link SourceTable#column}) through {@code rule}. */
        <T> T read(int index, Function<String, T> rule) {
            try {
                return rule.apply(record.fields()[index]);
            } catch (IllegalArgumentException e) {
                throw error(record.line(), header[index], e.getMessage());
            }
        }
    }
}
