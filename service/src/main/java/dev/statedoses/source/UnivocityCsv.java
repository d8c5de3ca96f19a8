package dev.statedoses.source;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.Reader;

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
        parser.beginParsing(reader);
        return new CsvRecords() {
            // univocity counts the lines it has consumed; a record starts on the line after the
            // previous record ended (blank lines are skipped, so we look at where its text starts).
            @Override
            public CsvRecord next() {
                long before = parser.getContext().currentLine();
                String[] fields = parser.parseNext();
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
}
