package dev.statedoses.source;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;

/** {@link CsvFormat} on univocity-parsers: RFC 4180 quoting, LF or CRLF, streaming. */
public final class UnivocityCsv implements CsvFormat {

    @Override
    public CsvRecords open(Reader reader) {
        CsvParserSettings settings = new CsvParserSettings();
        settings.setLineSeparatorDetectionEnabled(true);
        settings.setHeaderExtractionEnabled(false);
        settings.setIgnoreLeadingWhitespaces(true);
        settings.setIgnoreTrailingWhitespaces(true);
        settings.setSkipEmptyLines(true);
        settings.setNullValue("");
        settings.setEmptyValue("");
        // '#' starts no comment in these sources: a line starting with it is data to reject, not skip.
        settings.getFormat().setComment('\0');
        settings.setMaxColumns(512);
        settings.setMaxCharsPerColumn(64 * 1024);
        // One thread per refresh is plenty; a reader thread would only add a hand-off.
        settings.setReadInputOnSeparateThread(false);

        CsvParser parser = new CsvParser(settings);
        try {
            // univocity fills its first buffer here, so the body's first read errors surface now.
            parser.beginParsing(reader);
        } catch (TextParsingException e) {
            throw unwrap(e, 1);
        }
        return new CsvRecords() {
            // univocity counts the lines it has consumed; a record starts on the line after the
            // previous record ended (blank lines are skipped, so we look at where its text starts).
            @Override
            public CsvRecord next() {
                long before = parser.getContext().currentLine();
                String[] fields;
                try {
                    fields = parser.parseNext();
                } catch (TextParsingException e) {
                    throw unwrap(e, before + 1);
                }
                if (fields == null) {
                    return null;
                }
                return new CsvRecord(before + 1, fields);
            }

            @Override
            public void close() {
                parser.stopParsing();
            }
        };
    }

    /**
     * univocity wraps whatever its input threw; hand on the original (the source stream's own
     * errors, an I/O failure) and keep parse errors free of univocity's types.
     */
    private static RuntimeException unwrap(TextParsingException e, long line) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SourceException || t instanceof SourceAbandonedException) {
                return (RuntimeException) t;
            }
            if (t instanceof IOException io) {
                return new UncheckedIOException(io);
            }
        }
        String message = e.getMessage() == null ? "unreadable CSV" : e.getMessage().lines().findFirst().orElse("");
        return new CsvFormat.MalformedCsvException(line, message);
    }
}
