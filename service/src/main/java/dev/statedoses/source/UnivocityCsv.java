package dev.statedoses.source;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.statedoses.text.Printable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/** {@link CsvFormat} on univocity-parsers: RFC 4180 quoting, LF, CRLF or CR line ends (mixed too), streaming. */
public final class UnivocityCsv implements CsvFormat {

    /** Far more than any layout of the sources has (4 to 70 columns); a line with more is not one of them. */
    static final int MAX_COLUMNS = 512;
    /** Far longer than any value of the sources; a longer one is a runaway quote or not CSV. */
    static final int MAX_VALUE_CHARS = 64 * 1024;
    /** The start of a body that is JSON or markup, not CSV: a first line too long to be a header. */
    private static final Pattern NOT_CSV = Pattern.compile("\\s*[\\[{<]");

    @Override
    public CsvRecords open(Reader reader) {
        CsvParserSettings settings = new CsvParserSettings();
        // Every line end arrives as LF (LineEnds), so there is one separator to know.
        settings.getFormat().setLineSeparator("\n");
        settings.setHeaderExtractionEnabled(false);
        settings.setIgnoreLeadingWhitespaces(true);
        settings.setIgnoreTrailingWhitespaces(true);
        // Blank lines come back as records and are skipped below: univocity skipping them itself
        // did not count them, and every row after one was reported a line too early.
        settings.setSkipEmptyLines(false);
        settings.setNullValue("");
        settings.setEmptyValue("");
        // No line of these sources is a comment: one starting with '#' (or with NUL, which the
        // library takes for "no comment character") is data to reject, not to skip.
        settings.setCommentProcessingEnabled(false);
        settings.setMaxColumns(MAX_COLUMNS);
        settings.setMaxCharsPerColumn(MAX_VALUE_CHARS);
        // One thread per refresh is plenty; a reader thread would only add a hand-off.
        settings.setReadInputOnSeparateThread(false);

        CsvParser parser = new CsvParser(settings);
        try {
            // univocity fills its first buffer here, so the body's first read errors surface now.
            parser.beginParsing(new LineEnds(reader));
        } catch (TextParsingException e) {
            throw unwrap(e, 1, null);
        }
        return new CsvRecords() {
            // univocity counts the lines it has consumed; a record starts on the line after the
            // previous record (or blank line) ended.
            @Override
            public CsvRecord next() {
                while (true) {
                    long before = parser.getContext().currentLine();
                    String[] fields;
                    try {
                        fields = parser.parseNext();
                    } catch (TextParsingException e) {
                        throw unwrap(e, before + 1, before == 0 ? parser.getContext().currentParsedContent() : null);
                    }
                    if (fields == null) {
                        return null;
                    }
                    if (!blank(fields)) {
                        return new CsvRecord(before + 1, fields);
                    }
                }
            }

            @Override
            public void close() {
                parser.stopParsing();
            }
        };
    }

    /**
     * A blank line (or one of spaces), or one of separators only ({@code ,,,}, {@code "",""}): every
     * field empty. Spreadsheets write the latter for empty rows under the data that were formatted
     * once; like a blank line, it holds no value to load or lose.
     */
    private static boolean blank(String[] fields) {
        for (String field : fields) {
            if (field != null && !field.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * univocity wraps whatever its input threw; hand on the original (the source stream's own
     * errors, an I/O failure) and keep parse errors free of univocity's types.
     */
    private static RuntimeException unwrap(TextParsingException e, long line, String firstRecord) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SourceException || t instanceof SourceAbandonedException) {
                return (RuntimeException) t;
            }
            if (t instanceof IOException io) {
                return new UncheckedIOException(io);
            }
        }
        // univocity's own message names its settings and Java exceptions; say what is wrong instead.
        String text = e.getMessage() == null ? "" : e.getMessage();
        String message;
        if (text.contains("maximum number of characters")) {
            message = "a value is longer than " + MAX_VALUE_CHARS + " characters (a quote that never closes, "
                + "or not one of these files?)";
        } else if (firstRecord != null && NOT_CSV.matcher(firstRecord).lookingAt()) {
            // A JSON array or object (a Socrata API's rows, an error) or markup on one long line:
            // said as what it is, as the header check says it of a short one (SourceTable).
            String start = firstRecord.strip();
            message = "it starts with '" + Printable.shorten(start.substring(0, Math.min(60, start.length())), 60)
                + (start.length() > 60 ? "…" : "") + "', not CSV: JSON or markup (an API's answer, or an error page?)";
        } else if (e.getColumnIndex() >= MAX_COLUMNS - 1 || text.contains("maximum number of columns")) {
            message = "the line has more than " + MAX_COLUMNS + " fields, far more than any layout of the "
                + "sources (a stray separator, or not one of these files?)";
        } else {
            message = "the line cannot be read as CSV";
        }
        return new CsvFormat.MalformedCsvException(line, message);
    }
}
