package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A last line short of fields is a download cut short only when no line break follows it: a cut
 * in transfer falls wherever the connection stopped, almost always inside a line. A short last
 * line that a line break ends is whole, a footer or a note under the data, and is the content
 * fault it would be on any other line (its line, "the row has N fields, the header has M"), never
 * "cut short". For each source, with LF, CRLF and CR line ends, with and without a byte-order mark.
 */
class WholeLastLineTest {

    /** One source's small file: its reader, header, rows and a row of the right shape. */
    enum Source {
        MODERNA(SourceName.MODERNA, "http://upstream.test/moderna.csv", 4,
            "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"",
            List.of("\"Ohio\",\"2021-01-04T00:00:00.000\",\"100\",\"100\"",
                "\"Iowa\",\"2021-01-04T00:00:00.000\",\"50\",\"50\""),
            "\"Utah\",\"2021-01-04T00:00:00.000\",\"70\""),
        PFIZER(SourceName.PFIZER, "http://upstream.test/pfizer.csv", 4,
            "Jurisdiction,Week of Allocations,1st Dose Allocations,2nd Dose Allocations",
            List.of("Ohio,01/04/2021,200,200", "Iowa,01/04/2021,80,80"),
            "Utah,01/04/2021,90"),
        POPULATION(SourceName.POPULATION, "file:/data/County_Population.csv", 5,
            "Id,Id2,County,State,Population Estimate 2018",
            List.of("0500000US39001,39001,Adams,Ohio,27724", "0500000US19001,19001,Adair,Iowa,7124"),
            "0500000US49001,49001,Beaver,Utah");

        final SourceName name;
        final URI url;
        final int columns;
        final String header;
        final List<String> rows;
        /** A data row one field short. */
        final String shortRow;

        Source(SourceName name, String url, int columns, String header, List<String> rows, String shortRow) {
            this.name = name;
            this.url = URI.create(url);
            this.columns = columns;
            this.header = header;
            this.rows = rows;
            this.shortRow = shortRow;
        }

        /** Reads {@code body} whole: the rows, or the SourceException it is refused with. */
        Object read(byte[] body) {
            SourceStream stream = new SourceStream(new ByteArrayInputStream(body), name, url, 1_000_000);
            List<Object> rows = new ArrayList<>();
            try {
                if (this == POPULATION) {
                    new CountyPopulationCsv(new UnivocityCsv()).read(stream, rows::add);
                } else {
                    new AllocationCsv(new UnivocityCsv()).read(stream, rows::add);
                }
                return rows;
            } catch (SourceException e) {
                return e;
            }
        }
    }

    /** A short whole line under the data, and how many fields it has. */
    record Footer(String what, String text, int fields) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static List<Footer> footers(Source source) {
        return List.of(
            new Footer("a source note", "Source: U.S. Census Bureau Population Division", 1),
            new Footer("a quoted note with a comma", "\"Note: provisional, as of 2021-01-08\"", 1),
            new Footer("a note with separators after it", "Note: provisional" + ",".repeat(source.columns - 3),
                source.columns - 2),
            new Footer("a row a field short", source.shortRow, source.columns - 1),
            new Footer("a row a field short whose last field is empty",
                source.shortRow.substring(0, source.shortRow.lastIndexOf(',') + 1), source.columns - 1));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Source source : Source.values()) {
            for (String lineEnd : List.of("\n", "\r\n", "\r")) {
                for (boolean bom : List.of(false, true)) {
                    for (Footer footer : footers(source)) {
                        cases.add(Arguments.of(source, lineEnd, bom, footer));
                    }
                }
            }
        }
        return cases.stream();
    }

    private static String name(String lineEnd) {
        return switch (lineEnd) {
            case "\n" -> "LF";
            case "\r\n" -> "CRLF";
            default -> "CR";
        };
    }

    /** The header and the rows, each line ended, then {@code after} as it is. */
    private static byte[] body(Source source, String lineEnd, boolean bom, String after) {
        StringBuilder text = new StringBuilder(source.header).append(lineEnd);
        for (String row : source.rows) {
            text.append(row).append(lineEnd);
        }
        text.append(after);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bom) {
            out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The footer's line: after the header and the rows. */
    private static long footerLine(Source source) {
        return source.rows.size() + 2;
    }

    private static void assertContent(Source source, Footer footer, Object answer, String where) {
        SourceException e = assertInstanceOf(SourceException.class, answer, where);
        assertEquals(SourceException.Kind.CONTENT, e.kind(), where + ": " + e.describe());
        assertEquals(source.name, e.source(), where);
        assertEquals(footerLine(source), e.line(), where + ": " + e.describe());
        assertTrue(e.describe().startsWith(source.name.label() + " source (" + source.url
                + "), line " + footerLine(source) + ": the row has " + footer.fields() + " fields, the header has "
                + source.columns + ", on the last line, which a line break ends"),
            where + ": " + e.describe());
        assertFalse(e.getMessage().contains("cut short"), where + ": " + e.describe());
    }

    /** The footer ended by a line break (and blank lines, or lines of separators only, after it): content. */
    @ParameterizedTest(name = "{0}, {1}, bom {2}, {3}")
    @MethodSource("cases")
    void aShortLastLineWithItsLineBreakIsContent(Source source, String lineEnd, boolean bom, Footer footer) {
        String where = source + ", " + name(lineEnd) + (bom ? ", BOM" : "") + ", " + footer;
        assertContent(source, footer, source.read(body(source, lineEnd, bom, footer.text() + lineEnd)), where);
        String blanks = footer.text() + lineEnd + lineEnd + "  " + lineEnd + ",".repeat(source.columns - 1) + lineEnd;
        assertContent(source, footer, source.read(body(source, lineEnd, bom, blanks)), where + ", blank lines after");
        assertContent(source, footer, source.read(body(source, lineEnd, bom, footer.text() + lineEnd + "   ")),
            where + ", spaces after");
    }

    /**
     * The same footer without a line break after it: the last line may have lost the rest of its
     * fields, a download cut short (said by BodyShape when its last value is unquoted, by the
     * field count when it is closed by its quote), on the footer's line. Unchanged.
     */
    @ParameterizedTest(name = "{0}, {1}, bom {2}, {3}")
    @MethodSource("cases")
    void aShortLastLineWithoutALineBreakIsStillCutShort(Source source, String lineEnd, boolean bom, Footer footer) {
        String where = source + ", " + name(lineEnd) + (bom ? ", BOM" : "") + ", " + footer;
        Object answer = source.read(body(source, lineEnd, bom, footer.text()));
        SourceException e = assertInstanceOf(SourceException.class, answer, where);
        assertEquals(SourceException.Kind.TRUNCATED, e.kind(), where + ": " + e.describe());
        assertEquals(footerLine(source), e.line(), where + ": " + e.describe());
        assertTrue(e.getMessage().endsWith("cut short"), where + ": " + e.describe());
    }

    /**
     * Two footer lines: the first, in the middle, was already the content error it is; the last
     * line whole changes nothing there.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void twoFooterLinesAreContentAtTheFirst(Source source) {
        Object answer = source.read(body(source, "\n", false, "Source: CDC\nRetrieved 2021-01-08\n"));
        SourceException e = assertInstanceOf(SourceException.class, answer, source.toString());
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals(footerLine(source), e.line(), e.describe());
        assertFalse(e.getMessage().contains("cut short"), e.describe());
    }

    /**
     * What was accepted stays so: blank lines and lines of separators only at the end, with their
     * line breaks, hold no row and load the file's rows (docs/failures.md).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void blankAndSeparatorOnlyLastLinesStillLoad(Source source) {
        Object whole = source.read(body(source, "\n", false, ""));
        assertInstanceOf(List.class, whole, String.valueOf(whole));
        assertEquals(source.rows.size(), ((List<?>) whole).size());
        for (String lineEnd : List.of("\n", "\r\n", "\r")) {
            for (String after : List.of(lineEnd, lineEnd + lineEnd, ",".repeat(source.columns - 1) + lineEnd,
                    ",,,," + lineEnd + lineEnd, "\"\",\"\"" + lineEnd)) {
                byte[] body = body(source, lineEnd, false, after);
                Object answer = source.read(body);
                String where = source + ", " + name(lineEnd) + ", ending " + after.replace("\r", "\\r")
                    .replace("\n", "\\n");
                assertEquals(whole.toString(), answer.toString(), where);
            }
        }
    }

    static Stream<Source> sources() {
        return Stream.of(Source.values());
    }
}
