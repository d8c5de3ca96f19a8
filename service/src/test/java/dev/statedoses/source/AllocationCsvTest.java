package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationCsvTest {

    private static final URI URL = URI.create("http://upstream.test/moderna.csv");
    private static final String API_HEADER =
        "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n";

    private final AllocationCsv csv = new AllocationCsv(new UnivocityCsv());

    private List<Allocation> read(String body) {
        return read(body.getBytes(StandardCharsets.UTF_8));
    }

    private List<Allocation> read(byte[] body) {
        List<Allocation> rows = new ArrayList<>();
        SourceStream stream = new SourceStream(new ByteArrayInputStream(body), SourceName.MODERNA, URL, 1_000_000);
        long count = csv.read(stream, rows::add);
        assertEquals(rows.size(), count);
        return rows;
    }

    private SourceException rejected(String body) {
        return assertThrows(SourceException.class, () -> read(body));
    }

    @Test
    void readsTheApisQuotedFormatWithLineNumbers() {
        List<Allocation> rows = read(API_HEADER
            + "\"New York City\",\"2021-06-21T00:00:00.000\",\"54360\",\"54360\"\n"
            + "\"Alaska\",\"2021-06-14T00:00:00.000\",\"91260\",\"79560\"\n");
        assertEquals(List.of(
            new Allocation(2, "New York City", LocalDate.of(2021, 6, 21), 54360, 54360),
            new Allocation(3, "Alaska", LocalDate.of(2021, 6, 14), 91260, 79560)), rows);
    }

    @Test
    void readsColumnsByNameInAnyOrderWithExtraColumns() {
        List<Allocation> rows = read("hhs_region,_2nd_dose_allocations,Jurisdiction,_1st_dose_allocations,week_of_allocations\n"
            + "2,\"1,000\",New Jersey,\"2,500\",2021-01-04\n");
        assertEquals(List.of(new Allocation(2, "New Jersey", LocalDate.of(2021, 1, 4), 2500, 1000)), rows);
    }

    /**
     * A header with nameless cells at its end over a row with a stray separator (an unquoted
     * {@code 1,234}): the second dose's count moved into the nameless cell, and the row loaded
     * 1 and 234 doses. Each column order, so that the moved value is each count in turn.
     */
    @Test
    void aValueMovedIntoANamelessCellIsRefusedAtItsLine() {
        String plain = "jurisdiction,week_of_allocations,_1st_dose_allocations,_2nd_dose_allocations,,\n"
            + "Alaska,2021-06-14,91260,79560,,\nNew York City,2021-06-21,54360,54360\n";
        assertEquals(List.of(new Allocation(2, "Alaska", LocalDate.of(2021, 6, 14), 91260, 79560),
            new Allocation(3, "New York City", LocalDate.of(2021, 6, 21), 54360, 54360)), read(plain));
        SourceException first = rejected(plain.replace("Alaska,2021-06-14,91260,79560,,", "Alaska,2021-06-14,91,260,79560,"));
        assertEquals(2L, first.line());
        assertTrue(first.getMessage().startsWith("the row has a value ('79560') in column 5, which the header does not name"),
            first.getMessage());
        SourceException second = rejected(plain.replace("New York City,2021-06-21,54360,54360", "New York City,2021-06-21,54360,54,360"));
        assertEquals(3L, second.line());
        assertTrue(second.getMessage().startsWith("the row has a value ('360') in column 5,"), second.getMessage());
    }

    @Test
    void readsTheCdcExportsHeadersAndDatesWithCrlfAndBom() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = ("Jurisdiction,Week of Allocations,1st Dose Allocations,2nd Dose Allocations\r\n"
            + "Connecticut,06/21/2021,35100,35100\r\n"
            + "Alaska**,06/14/2021,0,0\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, body, 0, bom.length);
        System.arraycopy(text, 0, body, bom.length, text.length);
        assertEquals(List.of(
            new Allocation(2, "Connecticut", LocalDate.of(2021, 6, 21), 35100, 35100),
            new Allocation(3, "Alaska", LocalDate.of(2021, 6, 14), 0, 0)), read(body));
    }

    @Test
    void aBadCountNamesItsLineAndColumn() {
        SourceException e = rejected(API_HEADER
            + "\"Ohio\",\"2021-06-21T00:00:00.000\",\"100\",\"100\"\n"
            + "\"Iowa\",\"2021-06-21T00:00:00.000\",\"1O0\",\"100\"\n");
        assertEquals(SourceException.Kind.CONTENT, e.kind());
        assertEquals(SourceName.MODERNA, e.source());
        assertEquals(3L, e.line());
        assertEquals("_1st_dose_allocations", e.column());
        assertEquals("moderna source (http://upstream.test/moderna.csv), line 3, column _1st_dose_allocations: "
            + "'1O0' is not a whole number", e.describe());
    }

    @Test
    void aNegativeOrEmptyCountIsRejected() {
        assertEquals("the count -1 is negative",
            rejected(API_HEADER + "\"Ohio\",\"2021-06-21\",\"-1\",\"0\"\n").getMessage());
        SourceException empty = rejected(API_HEADER + "\"Ohio\",\"2021-06-21\",\"5\",\"\"\n");
        assertEquals("the count is empty", empty.getMessage());
        assertEquals("_2nd_dose_allocations", empty.column());
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsRejected() {
        SourceException e = rejected(API_HEADER + "\"Ohio\",\"2021-06-21\",\"5\",\"5\"\n\"Iowa\",\"2021-06-21\",\"5\"\n"
            + "\"Utah\",\"2021-06-21\",\"5\",\"5\"\n");
        assertEquals(SourceException.Kind.CONTENT, e.kind());
        assertEquals(3L, e.line());
        assertNull(e.column());
        assertEquals("the row has 3 fields, the header has 4 (a stray separator or a cut-off body?)", e.getMessage());
    }

    /**
     * A last row short of fields that a line break ends is whole (a cut in transfer leaves its
     * last line without one): the content fault it would be on any other line, not a cut.
     */
    @Test
    void aLastRowShortOfFieldsWithItsLineBreakIsContent() {
        SourceException e = rejected(API_HEADER + "\"Ohio\",\"2021-06-21\",\"5\",\"5\"\n\"Iowa\",\"2021-06-21\",\"5\"\n");
        assertEquals(SourceException.Kind.CONTENT, e.kind());
        assertEquals(3L, e.line());
        assertEquals("the row has 3 fields, the header has 4, on the last line, which a line break ends: a footer "
            + "or a note under the data?", e.getMessage());
    }

    /** Without its line break, the same last row may have lost its last fields: a cut-off body. */
    @Test
    void aLastRowShortOfFieldsWithoutALineBreakIsACutOffBody() {
        SourceException e = rejected(API_HEADER + "\"Ohio\",\"2021-06-21\",\"5\",\"5\"\n\"Iowa\",\"2021-06-21\",\"5\"");
        assertEquals(SourceException.Kind.TRUNCATED, e.kind());
        assertEquals(3L, e.line());
        assertEquals("the row has 3 fields, the header has 4, and it is the last line: the body looks cut short",
            e.getMessage());
    }

    @Test
    void aMissingColumnIsNamed() {
        SourceException e = rejected("\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\"\n\"Ohio\",\"2021-06-21\",\"5\"\n");
        assertEquals(1L, e.line());
        assertEquals("the header has no column _2nd_dose_allocations (it has: jurisdiction,week_of_allocations,"
            + "_1st_dose_allocations)", e.getMessage());
    }

    /** The API's and the export's spelling of one column, both given: each named, with its column. */
    @Test
    void twoSpellingsOfOneColumnAreEachNamed() {
        SourceException e = rejected("jurisdiction,week_of_allocations,_1st_dose_allocations,_2nd_dose_allocations,"
            + "1st Dose Allocations\nOhio,2021-06-21,5,5,5\n");
        assertEquals(1L, e.line());
        assertEquals("the header names one column twice: _1st_dose_allocations (column 3) and 1st Dose Allocations "
            + "(column 5): which one holds the values is not clear", e.getMessage());
    }

    @Test
    void anErrorPageIsNotTakenForCsv() {
        assertEquals("the body is not CSV (it starts with '<!DOCTYPE html>'): an error page?",
            rejected("<!DOCTYPE html>\n<html><body>Internal error</body></html>\n").getMessage());
        assertEquals("the body is not CSV (it starts with '{\"message\":\"Internal error\"}'): an error page?",
            rejected("{\"message\":\"Internal error\"}").getMessage());
        // A Socrata API's JSON rows on one line: too many fields for a header, still said as JSON.
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            json.append(i == 0 ? "" : ",").append("{\"jurisdiction\":\"Ohio\",\"week_of_allocations\":\"2021-06-21\"}");
        }
        SourceException e = rejected(json.append("]").toString());
        assertEquals(1L, e.line());
        assertEquals("the body is not valid CSV: it starts with '[{\"jurisdiction\":\"Ohio\",\"week_of_allocations\":\"2021-06-21\"},…', "
            + "not CSV: JSON or markup (an API's answer, or an error page?)", e.getMessage());
    }

    @Test
    void aHeaderWithoutRowsOrAnEmptyBodyIsRejected() {
        assertEquals("the header is there but no data rows follow", rejected(API_HEADER).getMessage());
        assertEquals("the body is empty: expected a CSV header", rejected("").getMessage());
    }
}
