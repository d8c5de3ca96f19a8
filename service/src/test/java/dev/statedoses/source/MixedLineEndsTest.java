package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Files whose lines end in CRLF, LF or a lone CR, mixed at random (rows appended by another
 * program to an export): every row loads with its own line number, and a bad value is reported on
 * its line. Generated: 200 files of each source, quoted (the CDC API's form) and unquoted (the
 * lake's), some with blank lines or lines of separators only, which count as lines but hold no row.
 */
class MixedLineEndsTest {

    private static final String[] ENDS = {"\n", "\r\n", "\r"};
    private static final String[] EMPTY_LINES = {"", "", ",,,", ",,,,", "\"\",\"\",\"\",\"\"", " , ,", ","};
    private static final URI URL = URI.create("http://upstream.test/source.csv");

    private final UnivocityCsv csv = new UnivocityCsv();

    /** A generated file: its text, each row's line and count, and the line of its bad value (or -1). */
    private record Drawn(String text, List<Long> lines, List<Long> counts, long badLine) {
    }

    private static Drawn draw(Random random, boolean allocations, boolean quoted, boolean withBadValue) {
        StringBuilder text = new StringBuilder(allocations
            ? "jurisdiction,week_of_allocations,_1st_dose_allocations,_2nd_dose_allocations"
            : "Id,Id2,County,State,Population Estimate 2018");
        List<Long> lines = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long line = 1;
        int rows = 1 + random.nextInt(40);
        int badRow = withBadValue ? random.nextInt(rows) : -1;
        long badLine = -1;
        for (int row = 0; row < rows; row++) {
            String end = ENDS[random.nextInt(ENDS.length)];
            text.append(end);
            line++;
            if (random.nextInt(8) == 0) {
                // A blank line, or one of separators only (a spreadsheet's formatted empty row:
                // ",,," or "","",""); a blank one after a lone CR ends in CR, not an LF, which
                // would make the two one CRLF.
                String empty = EMPTY_LINES[random.nextInt(EMPTY_LINES.length)];
                String after = end.equals("\r") && empty.isEmpty() ? "\r" : ENDS[random.nextInt(ENDS.length)];
                text.append(empty).append(after);
                line++;
            }
            long count = random.nextInt(1_000_000);
            String value = row == badRow ? count + "x" : Long.toString(count);
            String[] fields = allocations
                ? new String[] {"Place " + row, LocalDate.of(2021, 1, 4).plusWeeks(row).toString(), value, "0"}
                : new String[] {"0500000US" + (10_000 + row), Integer.toString(10_000 + row), "County " + row,
                    "Vermont", value};
            for (int i = 0; i < fields.length; i++) {
                text.append(i == 0 ? "" : ",").append(quoted ? '"' + fields[i] + '"' : fields[i]);
            }
            lines.add(line);
            counts.add(count);
            badLine = row == badRow ? line : badLine;
        }
        if (random.nextBoolean()) {
            text.append(ENDS[random.nextInt(ENDS.length)]); // a last line end, or none
        }
        return new Drawn(text.toString(), lines, counts, badLine);
    }

    private List<long[]> read(boolean allocations, String text) {
        List<long[]> rows = new ArrayList<>();
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        SourceStream stream = new SourceStream(new ByteArrayInputStream(body),
            allocations ? SourceName.MODERNA : SourceName.POPULATION, URL, body.length);
        if (allocations) {
            new AllocationCsv(csv).read(stream, a -> rows.add(new long[] {a.line(), a.firstDoses()}));
        } else {
            new CountyPopulationCsv(csv).read(stream, c -> rows.add(new long[] {c.line(), c.population()}));
        }
        return rows;
    }

    @Test
    void everyRowLoadsOnItsOwnLineHoweverTheLineEndsAreMixed() {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            boolean allocations = seed % 2 == 0;
            Drawn drawn = draw(random, allocations, random.nextBoolean(), false);
            List<long[]> rows = read(allocations, drawn.text());
            String seen = "seed " + seed + ": " + drawn.text().replace("\r", "\\r").replace("\n", "\\n");
            assertEquals(drawn.lines().size(), rows.size(), seen);
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(drawn.lines().get(i), rows.get(i)[0], seen);
                assertEquals(drawn.counts().get(i), rows.get(i)[1], seen);
            }
        }
    }

    @Test
    void aBadValueIsReportedOnItsOwnLineHoweverTheLineEndsAreMixed() {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            boolean allocations = seed % 2 == 0;
            Drawn drawn = draw(random, allocations, random.nextBoolean(), true);
            String seen = "seed " + seed + ": " + drawn.text().replace("\r", "\\r").replace("\n", "\\n");
            SourceException e = assertThrows(SourceException.class, () -> read(allocations, drawn.text()), seen);
            assertEquals(drawn.badLine(), e.line(), seen + "\n" + e.describe());
            assertTrue(e.describe().contains("x"), e.describe());
        }
    }
}
