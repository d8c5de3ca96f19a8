package dev.statedoses.source;

import dev.statedoses.source.CsvFormat.CsvRecord;
import dev.statedoses.source.CsvFormat.CsvRecords;
import dev.statedoses.source.CsvFormat.MalformedCsvException;
import dev.statedoses.text.Printable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A CSV source read by header name: columns may come in any order and extra columns are ignored.
 * Every error it raises names the source, its URL, the line and the column.
 *
 * <p>It also holds the body to what a complete, undamaged file looks like ({@link BodyShape}): a
 * control byte anywhere is an error naming its line and column, and a body that ends inside a
 * value or a line, or whose last line is short of fields and has no line break after it, is a
 * cut-off body ({@link SourceException.Kind#TRUNCATED}), whatever its last values would have
 * parsed as. A short last line that a line break ends is whole, and a content fault (a footer).
 */
final class SourceTable implements AutoCloseable {

    private final SourceStream stream;
    private final CsvRecords records;
    private final String[] header;
    /**
     * The header's length without the nameless columns at its end: a spreadsheet saves a header
     * row formatted past its last name as {@code ...,Population,,}, over rows that stop at the
     * last name. A row may stop there, or reach into those columns with empty cells. Not with a
     * value: a stray separator in a row ({@code ...,Wyoming,6,967}) moves each value after it
     * one column along, the last named one's into the first nameless cell, where the field count
     * no longer tells it (a wrong population, 6, loaded).
     */
    private final int named;
    private final Map<String, Integer> columns;
    /** A record read ahead to tell whether a short row is the last one. */
    private CsvRecord peeked;

    private SourceTable(SourceStream stream, CsvRecords records, String[] header, Map<String, Integer> columns) {
        this.stream = stream;
        this.records = records;
        this.header = header;
        this.columns = columns;
        int named = header.length;
        while (named > 1 && (header[named - 1] == null || header[named - 1].isBlank())) {
            named--;
        }
        this.named = named;
    }

    static SourceTable open(SourceStream stream, CsvFormat csv, String... requiredColumns) {
        return open(stream, csv, List.of(), requiredColumns);
    }

    /**
     * With {@code optionalColumns}: read when the header has them ({@link #has}), and, as the
     * required ones, refused when it names one twice.
     */
    static SourceTable open(SourceStream stream, CsvFormat csv, List<String> optionalColumns,
                            String... requiredColumns) {
        CsvRecords records = guarded(stream, null, () -> csv.open(new LenientUtf8Reader(stream)));
        try {
            return open(stream, records, optionalColumns, requiredColumns);
        } catch (RuntimeException e) {
            records.close();
            throw e;
        }
    }

    private static SourceTable open(SourceStream stream, CsvRecords records, List<String> optionalColumns,
                                    String... requiredColumns) {
        CsvRecord first = guarded(stream, records, records::next);
        BodyShape shape = stream.shape();
        if (shape.damage() != null && shape.damage().line() == 1) {
            throw damagedHeader(stream, shape.damage());
        }
        if (first == null) {
            throw cutOrElse(stream, null, () -> SourceException.content(stream.source(), stream.url(), null, null,
                "the body is empty: expected a CSV header"));
        }
        String[] header = first.fields();
        String start = String.join(",", Arrays.stream(header).map(h -> h == null ? "" : h).toList()).strip();
        if (start.startsWith("<") || start.startsWith("{") || start.startsWith("[")) {
            throw SourceException.content(stream.source(), stream.url(), first.line(), null,
                "the body is not CSV (it starts with '" + Printable.shorten(start, 60) + "'): an error page?");
        }
        Map<String, Integer> columns = new HashMap<>();
        // The columns we read, required or not: one of them named twice is refused.
        Set<String> read = Stream.concat(Arrays.stream(requiredColumns), optionalColumns.stream())
            .map(SourceValues::headerKey).collect(Collectors.toSet());
        for (int i = 0; i < header.length; i++) {
            String key = SourceValues.headerKey(header[i]);
            Integer before = columns.putIfAbsent(key, i);
            if (before != null && read.contains(key)) {
                // Which of the two would we load? Neither: the file has to say.
                // Two spellings of one column (the API's _1st_dose_allocations and the export's
                // 1st Dose Allocations) are named each, so that neither looks like the other.
                String twice = header[i].equals(header[before])
                    ? "column " + Printable.shorten(header[i], 60) + " twice (columns " + (before + 1) + " and "
                        + (i + 1) + ")"
                    : "one column twice: " + Printable.shorten(header[before], 60) + " (column " + (before + 1)
                        + ") and " + Printable.shorten(header[i], 60) + " (column " + (i + 1) + ")";
                throw SourceException.content(stream.source(), stream.url(), first.line(), header[i],
                    "the header names " + twice + ": which one holds the values is not clear");
            }
        }
        List<String> missing = new ArrayList<>();
        for (String required : requiredColumns) {
            if (!columns.containsKey(SourceValues.headerKey(required))) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            SourceException noColumn = SourceException.content(stream.source(), stream.url(), first.line(),
                missing.get(0), "the header has no column " + String.join(", ", missing)
                    + " (it has: " + Printable.shorten(start, 60) + ")");
            throw cutOrElse(stream, first.line(), () -> noColumn);
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

    /** The next data row, or null at the end of the body (which must be the end of a complete file). */
    private Row next() {
        CsvRecord record = nextRecord();
        BodyShape.Damage damage = stream.shape().damage();
        if (damage != null) {
            throw damaged(stream, damage, header);
        }
        if (record == null) {
            BodyShape.Cut cut = stream.shape().cut();
            if (cut != null) {
                throw truncated(stream, cut);
            }
            return null;
        }
        int fields = record.fields().length;
        if (fields < named || fields > header.length) {
            String counted = "the row has " + fields + " fields, the header has " + (named == header.length
                ? header.length : named + " named ones (and " + (header.length - named) + " nameless at its end)");
            if (fields < named && isLast(record)) {
                // A cut in transfer falls wherever the connection stopped, almost always inside a
                // line, and leaves the last line without its line break. A short last line that a
                // line break ends is whole: a footer or a note under the data (`Source: U.S.
                // Census Bureau`), a fault of the file's content as it would be anywhere else,
                // and no reason to fetch again. Only a short last line without a line break (its
                // last value closed by a quote, or BodyShape would have called it cut already)
                // may have lost the rest of its fields.
                if (stream.shape().lastLineEnded()) {
                    throw error(record.line(), null, counted + ", on the last line, which a line break ends: a "
                        + "footer or a note under the data?");
                }
                throw cutOrElse(stream, record.line(), () -> SourceException.truncated(stream.source(), stream.url(),
                    record.line(), counted + ", and it is the last line: the body looks cut short"));
            }
            throw error(record.line(), null, counted + " (a stray separator or a cut-off body?)");
        }
        for (int i = named; i < fields; i++) {
            String value = record.fields()[i];
            if (value != null && !value.isBlank()) {
                throw error(record.line(), null, "the row has a value ('" + Printable.shorten(value.strip(), 40)
                    + "') in column " + (i + 1) + ", which the header does not name: a stray separator that moved"
                    + " the row's values along? (a column meant to be there needs a name in the header)");
            }
        }
        if (repeatsHeader(record.fields())) {
            // Said so, rather than as its first value that does not read (a week "is not a date").
            throw error(record.line(), null, "the line repeats the header: two files joined into one?");
        }
        return new Row(record);
    }

    /**
     * Whether a row names the header's columns again, as two downloads joined into one file do
     * (each with its header). The first field is compared first: for any other row that settles it.
     */
    private boolean repeatsHeader(String[] fields) {
        for (int i = 0; i < named; i++) {
            if (header[i] != null && !header[i].equalsIgnoreCase(fields[i] == null ? null : fields[i].strip())) {
                return false;
            }
        }
        return true;
    }

    /** Each data row, made a {@code T} by {@code read}, to {@code sink}; returns how many (none is an error). */
    <T> long forEachRow(Function<Row, T> read, Consumer<T> sink) {
        long rows = 0;
        for (Row row = next(); row != null; row = next()) {
            sink.accept(read.apply(row));
            rows++;
        }
        if (rows == 0) {
            throw error(null, null, "the header is there but no data rows follow");
        }
        return rows;
    }

    private CsvRecord nextRecord() {
        if (peeked != null) {
            CsvRecord record = peeked;
            peeked = null;
            return record;
        }
        return guarded(stream, records, records::next);
    }

    private boolean isLast(CsvRecord record) {
        if (stream.shape().cut() != null) {
            return stream.shape().cut().recordLine() == record.line();
        }
        peeked = guarded(stream, records, records::next);
        return peeked == null;
    }

    /** The records' failures turned into errors that name the source. */
    private static <T> T guarded(SourceStream stream, CsvRecords records, Supplier<T> step) {
        try {
            return step.get();
        } catch (MalformedCsvException e) {
            // Said before the records close (and the body with them): the damage check reads on.
            SourceException fault = cutOrElse(stream, e.line(), () -> SourceException.content(stream.source(),
                stream.url(), e.line(), null, "the body is not valid CSV: " + e.getMessage()));
            close(records);
            throw fault;
        } catch (RuntimeException e) {
            close(records);
            throw e;
        }
    }

    /**
     * When the body ended cut short at {@code line} (or anywhere, for a null line), that is the
     * error to report: the content error {@code otherwise} is only what the cut left. So is a
     * compressed body found damaged ({@link SourceStream#orDamage}), which may have garbled it.
     */
    private static SourceException cutOrElse(SourceStream stream, Long line, Supplier<SourceException> otherwise) {
        BodyShape.Cut cut = stream.shape().cut();
        if (cut != null && (line == null || line >= cut.recordLine())) {
            return truncated(stream, cut);
        }
        return stream.orDamage(otherwise.get());
    }

    private static SourceException truncated(SourceStream stream, BodyShape.Cut cut) {
        return SourceException.truncated(stream.source(), stream.url(), cut.line(),
            cut.reason() + ": the download looks cut short");
    }

    private static SourceException damaged(SourceStream stream, BodyShape.Damage damage, String[] header) {
        String where = damage.field() < header.length && header[damage.field()] != null
            ? header[damage.field()] : null;
        String what = "a control character (" + Printable.escape(Character.toString((char) damage.value()))
            + ") where only text may be: the file is damaged, or not a text file";
        return stream.orDamage(SourceException.content(stream.source(), stream.url(), damage.line(), where, what));
    }

    private static SourceException damagedHeader(SourceStream stream, BodyShape.Damage damage) {
        return stream.orDamage(SourceException.content(stream.source(), stream.url(), damage.line(), null,
            "a control character (" + Printable.escape(Character.toString((char) damage.value())) + ") in the "
                + "header, column " + (damage.field() + 1) + ": the file is damaged, or not a text file"));
    }

    private static void close(CsvRecords records) {
        if (records != null) {
            records.close();
        }
    }

    private SourceException error(Long line, String column, String message) {
        return cutOrElse(stream, line, () -> SourceException.content(stream.source(), stream.url(), line, column,
            message));
    }

    @Override
    public void close() {
        records.close();
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
