package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CountyPopulationCsvTest {

    private static final URI URL = URI.create("file:County_Population.csv");
    private static final String HEADER = "Id,Id2,County,State,Population Estimate 2018\n";

    private final CountyPopulationCsv csv = new CountyPopulationCsv(new UnivocityCsv());

    private List<CountyPopulation> read(byte[] body, long maxBytes) {
        List<CountyPopulation> rows = new ArrayList<>();
        csv.read(new SourceStream(new ByteArrayInputStream(body), SourceName.POPULATION, URL, maxBytes), rows::add);
        return rows;
    }

    private List<CountyPopulation> read(String body) {
        return read(body.getBytes(StandardCharsets.UTF_8), 1_000_000);
    }

    @Test
    void readsTheLakeFormatKeepingZeroPaddedFips() {
        assertEquals(List.of(
                new CountyPopulation(2, "0500000US01001", "01001", "Autauga", "Alabama", 55601),
                new CountyPopulation(3, "0500000US11001", "11001", "District of Columbia", "District of Columbia", 702455)),
            read(HEADER
                + "0500000US01001,01001,Autauga,Alabama,55601\n"
                + "0500000US11001,11001,District of Columbia,District of Columbia,702455\n"));
    }

    @Test
    void eachIdIsReadWhenTheFileHasIt() {
        assertEquals(List.of(new CountyPopulation(2, "0500000US01001", null, "Autauga", "Alabama", 55601)),
            read("Id,County,State,Population Estimate 2018\n0500000US01001,Autauga,Alabama,55601\n"));
        assertEquals(List.of(new CountyPopulation(2, null, "1001", "Autauga", "Alabama", 55601)),
            read("County,Id2,State,Population Estimate 2018\nAutauga,1001,Alabama,55601\n"));
        assertEquals(List.of(new CountyPopulation(2, null, null, "Autauga", "Alabama", 55601)),
            read("County,State,Population Estimate 2018\nAutauga,Alabama,55601\n"));
    }

    @Test
    void populationMayHaveThousandsSeparators() {
        assertEquals(10_105_722, read(HEADER + "0500000US06037,06037,Los Angeles,California,\"10,105,722\"\n")
            .get(0).population());
    }

    @Test
    void latin1CountyNamesReadAsWellAsUtf8() {
        byte[] latin1 = (HEADER + "0500000US35013,35013,Do\u00f1a Ana,New Mexico,217522\n")
            .getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf8 = (HEADER + "0500000US35013,35013,Do\u00f1a Ana,New Mexico,217522\n")
            .getBytes(StandardCharsets.UTF_8);
        assertEquals("Do\u00f1a Ana", read(latin1, 1_000_000).get(0).county());
        assertEquals(read(utf8, 1_000_000), read(latin1, 1_000_000));
    }

    @Test
    void windows1252CountyNamesReadAsExcelWroteThem() {
        // Excel on Windows saves a CSV in Windows-1252: O'Brien's curly apostrophe is the byte 0x92,
        // which Latin-1 reads as an invisible control character.
        byte[] excel = (HEADER + "0500000US19141,19141,O\u2019Brien,Iowa,13753\n"
            + "0500000US35013,35013,Do\u00f1a Ana,New Mexico,217522\n").getBytes(Charset.forName("windows-1252"));
        List<CountyPopulation> rows = read(excel, 1_000_000);
        assertEquals("O\u2019Brien", rows.get(0).county());
        assertEquals("Do\u00f1a Ana", rows.get(1).county());
    }

    @Test
    void everyByteThatIsNotUtf8ReadsAsWindows1252DoesOrAsLatin1() {
        // Windows-1252 as the JDK decodes it, but for the five bytes it leaves unused, which stay
        // Latin-1's (as Windows decodes them) rather than a replacement character.
        Charset windows1252 = Charset.forName("windows-1252");
        for (int b = 0x80; b <= 0xff; b++) {
            String expected = new String(new byte[] {(byte) b}, windows1252);
            if (expected.equals("\ufffd")) {
                expected = String.valueOf((char) b);
            }
            byte[] body = concat(HEADER.getBytes(StandardCharsets.US_ASCII), new byte[] {'0', '5', '0', '0', '0', '0', '0',
                'U', 'S', '1', '9', '1', '4', '1', ',', '1', '9', '1', '4', '1', ',', 'O', (byte) b, 'B', ',', 'I', 'o',
                'w', 'a', ',', '1', '\n'});
            assertEquals("O" + expected + "B", read(body, 1_000_000).get(0).county(), "byte " + Integer.toHexString(b));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void aBodyOverTheSizeLimitIsStopped() {
        byte[] body = (HEADER + "0500000US01001,01001,Autauga,Alabama,55601\n").repeat(100)
            .getBytes(StandardCharsets.UTF_8);
        SourceException e = assertThrows(SourceException.class, () -> read(body, 1000));
        assertEquals(SourceException.Kind.UNAVAILABLE, e.kind());
        assertEquals("the body is larger than SOURCE_MAX_BYTES (1000 bytes)", e.getMessage());
    }

    /**
     * Every column the reader reads, the optional ids too, named a second time in another spelling
     * (case, spacing, underscores), anywhere in the header, with other values: which of the two
     * holds the county's id or people is not clear, so the file is refused at its header, naming
     * the second. An `ID` of junk before the real `Id` was read, and turned the county code
     * checks off (the ids then disagree with Id2 on every line).
     */
    @Test
    void aColumnWeReadNamedTwiceInAnySpellingIsRejectedNamingIt() {
        List<String> read = List.of("Id", "Id2", "County", "State", "Population Estimate 2018");
        Random random = new Random(20261202);
        for (int round = 0; round < 40; round++) {
            int twice = random.nextInt(read.size());
            String name = read.get(twice);
            String again = switch (random.nextInt(4)) {
                case 0 -> name.toUpperCase(Locale.ROOT);
                case 1 -> name.toLowerCase(Locale.ROOT);
                case 2 -> " " + name + " ";
                default -> name.replace(' ', '_');
            };
            List<String> header = new ArrayList<>(read);
            List<String> values = new ArrayList<>(List.of("0500000US01001", "01001", "Autauga", "Alabama", "55601"));
            int at = random.nextInt(header.size() + 1);
            header.add(at, again);
            values.add(at, twice == 4 ? "1" : twice == 3 ? "Texas" : "0500000US99999");
            SourceException e = assertThrows(SourceException.class,
                () -> read(String.join(",", header) + "\n" + String.join(",", values) + "\n"), again + " at " + at);
            assertEquals(1L, e.line());
            assertEquals((at < twice + 1 ? name : again).strip(), e.column(), header.toString());
            // Written the same: "column X twice (columns a and b)"; two spellings: each named with its column.
            assertTrue(e.getMessage().contains(" twice (columns ") || e.getMessage().contains("names one column twice: "),
                e.getMessage());
        }
    }

    /**
     * A header saved from a spreadsheet with nameless cells past its last name ({@code ...,2018,,}):
     * rows that stop at the last name, or reach into those cells with empty ones, read as the same
     * counties; a row short of a named column is still refused, and a last one without its line
     * break still called cut short (with it, it is refused as any other line is). A value in a
     * nameless cell is refused at its line: a stray separator in a row (an unquoted
     * {@code 218,022}) puts one there, and the population read was 218. Generated: one to
     * four nameless cells, blank or quoted empty, over rows of every allowed length.
     */
    @Test
    void namelessColumnsAtTheHeadersEndAreNoColumnsToFill() {
        Random random = new Random(20261207);
        String rows = "0500000US01001,01001,Autauga,Alabama,55601\n0500000US01003,01003,Baldwin,Alabama,218022\n"
            + "0500000US11001,11001,District of Columbia,District of Columbia,702455\n";
        List<CountyPopulation> expected = read(HEADER + rows);
        for (int round = 0; round < 200; round++) {
            int nameless = 1 + random.nextInt(4);
            StringBuilder header = new StringBuilder(HEADER.strip());
            for (int i = 0; i < nameless; i++) {
                header.append(',').append(List.of("", " ", "\"\"").get(random.nextInt(3)));
            }
            StringBuilder body = new StringBuilder(header).append('\n');
            for (String row : rows.split("\n")) {
                body.append(row);
                for (int i = random.nextInt(nameless + 1); i > 0; i--) {
                    body.append(',').append(List.of("", " ", "\"\"").get(random.nextInt(3)));
                }
                body.append('\n');
            }
            assertEquals(expected, read(body.toString()), body.toString());

            String shortRow = body.toString().replaceFirst("0500000US01003[^\\n]*", "0500000US01003,01003,Baldwin,Alabama");
            SourceException shortOne = assertThrows(SourceException.class, () -> read(shortRow), shortRow);
            assertEquals(3L, shortOne.line());
            assertEquals("the row has 4 fields, the header has 5 named ones (and " + nameless
                + " nameless at its end) (a stray separator or a cut-off body?)", shortOne.getMessage());
            String longRow = body.toString().replaceFirst("0500000US01003[^\\n]*",
                "0500000US01003,01003,Baldwin,Alabama,218022" + ",x".repeat(nameless + 1));
            assertThrows(SourceException.class, () -> read(longRow), longRow);
            String separated = body.toString().replaceFirst("0500000US01003[^\\n]*",
                "0500000US01003,01003,Baldwin,Alabama,218,022");
            SourceException moved = assertThrows(SourceException.class, () -> read(separated), separated);
            assertEquals(3L, moved.line());
            assertEquals("the row has a value ('022') in column 6, which the header does not name: a stray separator"
                + " that moved the row's values along? (a column meant to be there needs a name in the header)",
                moved.getMessage());
            int noted = 6 + random.nextInt(nameless);
            String note = body.toString().replaceFirst("0500000US11001[^\\n]*",
                "0500000US11001,11001,District of Columbia,District of Columbia,702455" + ",".repeat(noted - 5) + "note");
            SourceException noteOne = assertThrows(SourceException.class, () -> read(note), note);
            assertEquals(4L, noteOne.line());
            assertTrue(noteOne.getMessage().startsWith("the row has a value ('note') in column " + noted + ","),
                noteOne.getMessage());
            // Cut in transfer, the last line has no line break after it; with one, it is whole, and
            // short of a named column as any other line would be.
            String cut = body.substring(0, body.lastIndexOf(",702455"));
            assertTrue(cut.endsWith("District of Columbia"), cut);
            SourceException cutOne = assertThrows(SourceException.class, () -> read(cut), cut);
            assertEquals(SourceException.Kind.TRUNCATED, cutOne.kind(), cutOne.getMessage());
            assertEquals(4L, cutOne.line());
            SourceException wholeOne = assertThrows(SourceException.class, () -> read(cut + "\n"), cut);
            assertEquals(SourceException.Kind.CONTENT, wholeOne.kind(), wholeOne.getMessage());
            assertEquals(4L, wholeOne.line());
            assertEquals("the row has 4 fields, the header has 5 named ones (and " + nameless
                + " nameless at its end), on the last line, which a line break ends: a footer or a note under the "
                + "data?", wholeOne.getMessage());
        }
    }

    @Test
    void aMissingPopulationIsRejectedWithItsLine() {
        SourceException e = assertThrows(SourceException.class,
            () -> read(HEADER + "0500000US01001,01001,Autauga,Alabama,55601\n0500000US01003,01003,Baldwin,Alabama,\n"));
        assertEquals(3L, e.line());
        assertEquals("Population Estimate 2018", e.column());
        assertEquals("the count is empty", e.getMessage());
    }
}
