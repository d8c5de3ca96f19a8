package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.Fixtures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of content error is a 422 problem that names the source, its URL, the line and the
 * column; the product stays byte for byte what it was, and the run is on record as failed.
 *
 * <p>Line numbers, worked out by hand from src/test/resources/fixtures (line 1 is the header):
 * moderna.csv has 8 data rows on lines 2-9, so a line appended to it is line 10; pfizer.csv has 7
 * on lines 2-8 (Vermont on line 5), so an appended line is line 9; county_population.csv has 53
 * on lines 2-54 (New York's Albany on line 35), so an appended line is line 55.
 */
class RejectedContentTest {

    private static final String ALLOCATION_HEADER =
        "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"";

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** The good product's configuration, to change for one refresh. */
    private static ConfigBuilder good() {
        return ConfigBuilder.from(loaded.config());
    }

    /**
     * One rejected body: which source serves it, and where the problem must point. {@code line}
     * and {@code column} null mean the problem has no such member.
     */
    record Case(String name, String source, String contentType, String body, Integer line, String column,
                String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> rejected() {
        return Stream.of(
            new Case("a required column is missing", "pfizer", "text/csv",
                withoutColumn("pfizer.csv", "_2nd_dose_allocations"), 1, "_2nd_dose_allocations",
                "the header has no column _2nd_dose_allocations"),
            new Case("a count is not a number", "moderna", "text/csv",
                withLine("moderna.csv", "\"Ohio\",\"2021-01-11T00:00:00.000\",\"100\",\"ten\""),
                10, "_2nd_dose_allocations", "'ten' is not a whole number"),
            new Case("a count is a decimal", "moderna", "text/csv",
                withLine("moderna.csv", "\"Ohio\",\"2021-01-11T00:00:00.000\",\"100.5\",\"100\""),
                10, "_1st_dose_allocations", "'100.5' is not a whole number"),
            new Case("a dose count is negative", "pfizer", "text/csv",
                withLine("pfizer.csv", "\"Ohio\",\"2021-01-11T00:00:00.000\",\"-100\",\"100\""),
                9, "_1st_dose_allocations", "the count -100 is negative"),
            new Case("a population is negative", "population", "text/csv",
                replacingLine("county_population.csv", 35, "0500000US33003,33003,Albany,New York,-1000"),
                35, "Population Estimate 2018", "the count -1000 is negative"),
            new Case("a quoted dose count is empty", "pfizer", "text/csv",
                withLine("pfizer.csv", "\"Vermont\",\"2021-01-11T00:00:00.000\",\"\",\"100\""),
                9, "_1st_dose_allocations", "the count is empty"),
            new Case("an unquoted population is empty", "population", "text/csv",
                withLine("county_population.csv", "0500000US36003,36003,Fixture Two,Ohio,"),
                55, "Population Estimate 2018", "the count is empty"),
            new Case("a row has too few fields", "moderna", "text/csv",
                withLine("moderna.csv", "\"Ohio\",\"2021-01-11T00:00:00.000\",\"100\"") + "\"Ohio\",\"2021-01-18T00:00:00.000\",\"100\",\"0\"\n",
                10, null, "the row has 3 fields, the header has 4"),
            new Case("a row has too many fields", "pfizer", "text/csv",
                replacingLine("pfizer.csv", 5, "\"Vermont\",\"2021-01-04T00:00:00.000\",\"100\",\"0\",\"7\""),
                5, null, "the row has 5 fields, the header has 4"),
            new Case("an unquoted comma in a county name", "population", "text/csv",
                withLine("county_population.csv", "0500000US36003,36003,Fixture, Two,Ohio,10000"),
                55, null, "the row has 6 fields, the header has 5"),
            new Case("a JSON error page served with 200", "moderna", "application/json",
                "{\"message\":\"Internal error\"}", 1, null, "not CSV"),
            new Case("a week is not a date", "pfizer", "text/csv",
                withLine("pfizer.csv", "\"Ohio\",\"2021-13-45T00:00:00.000\",\"100\",\"100\""),
                9, "week_of_allocations", "'2021-13-45T00:00:00.000' is not a date"),
            new Case("a week is words", "moderna", "text/csv",
                withLine("moderna.csv", "\"Ohio\",\"next Monday\",\"100\",\"100\""),
                10, "week_of_allocations", "'next Monday' is not a date"),
            new Case("a week is empty", "pfizer", "text/csv",
                withLine("pfizer.csv", "\"Ohio\",\"\",\"100\",\"100\""),
                9, "week_of_allocations", "the week is empty"),
            new Case("the body is empty (0 bytes)", "population", "text/csv",
                "", null, null, "the body is empty"),
            new Case("the body is a header and nothing else", "moderna", "text/csv",
                ALLOCATION_HEADER + "\n", null, null, "no data rows"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void isA422NamingSourceUrlLineAndColumn(Case rejected) {
        String path = "/rejected/" + rejected.name().replaceAll("[^A-Za-z0-9]+", "-") + "/" + rejected.source() + ".csv";
        URI url = loaded.upstream().serveStatus(path, 200, rejected.contentType(), rejected.body());
        Config sources = switch (rejected.source()) {
            case "moderna" -> good().moderna(url).build();
            case "pfizer" -> good().pfizer(url).build();
            case "population" -> good().countyPopulation(url).build();
            default -> throw new IllegalArgumentException(rejected.source());
        };
        String where = rejected.source() + " source (" + url + ")"
            + (rejected.line() == null ? "" : ", line " + rejected.line())
            + (rejected.column() == null ? "" : ", column " + rejected.column())
            + ": ";
        loaded.refreshFails(sources, 422, r -> r
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo(rejected.source()))
            .body("url", equalTo(url.toString()))
            .body("line", rejected.line() == null ? nullValue() : equalTo(rejected.line()))
            .body("column", rejected.column() == null ? nullValue() : equalTo(rejected.column()))
            .body("detail", startsWith(where))
            .body("detail", containsString(rejected.detail())));
    }

    private static String fixture(String name) {
        return new String(Fixtures.bytes(name), StandardCharsets.UTF_8);
    }

    private static String withLine(String fixture, String extraLine) {
        return fixture(fixture) + extraLine + "\n";
    }

    /** The fixture with its 1-based {@code line} replaced. */
    private static String replacingLine(String fixture, int line, String replacement) {
        List<String> lines = new ArrayList<>(fixture(fixture).lines().toList());
        lines.set(line - 1, replacement);
        return String.join("\n", lines) + "\n";
    }

    /** The fixture without the column named {@code column}, on every line (its values hold no commas). */
    private static String withoutColumn(String fixture, String column) {
        List<String> lines = fixture(fixture).lines().toList();
        int index = Arrays.asList(lines.get(0).split(",", -1)).indexOf("\"" + column + "\"");
        if (index < 0) {
            throw new IllegalArgumentException(fixture + " has no column " + column);
        }
        return lines.stream()
            .map(line -> {
                List<String> fields = new ArrayList<>(Arrays.asList(line.split(",", -1)));
                fields.remove(index);
                return String.join(",", fields);
            })
            .collect(Collectors.joining("\n", "", "\n"));
    }
}
