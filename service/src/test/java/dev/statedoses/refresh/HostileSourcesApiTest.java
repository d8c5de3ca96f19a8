package dev.statedoses.refresh;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.NationalFiles;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile sources through the real service: each case serves one damaged source beside two good
 * ones, refreshes over HTTP, and checks the whole promise. The answer is the right problem
 * (status, type, source, line, column, state), with a detail free of control characters; the
 * product is byte for byte what it was; and the attempt is on record, closed, as failed with
 * that detail. Compressed bodies are the exception that proves the rule: they load, as the
 * plain files would.
 *
 * <p>Cases are generated from the fixtures (src/test/resources/fixtures, README there) with a
 * fixed seed per class of fault, so a failure can be run again; unit-level properties over many
 * more variations are in {@code source/HostileBodiesTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileSourcesApiTest {

    private static final String MODERNA = text("moderna.csv");
    private static final String PFIZER = text("pfizer.csv");
    private static final String POPULATION = text("county_population.csv");
    private static final String POPULATION_COLUMN = "Population Estimate 2018";

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private String product;

    @BeforeAll
    void start() {
        serveGoodSources();
        served.given().post("/refresh").then().statusCode(200);
        product = served.given().get("/ratios").asString();
    }

    @BeforeEach
    void serveGoodSources() {
        served.upstream().serve("/m.csv", MODERNA.getBytes(StandardCharsets.UTF_8));
        served.upstream().serve("/p.csv", PFIZER.getBytes(StandardCharsets.UTF_8));
        served.upstream().serve("/c.csv", POPULATION.getBytes(StandardCharsets.UTF_8));
    }

    /** One hostile source and what the refresh must answer. Null line/column/state: the problem has none. */
    record Case(String name, String source, FixtureServer.Behaviour body, String type, Long line, String column,
                String state, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> hostile() {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(20261129);

        // Truncation, at every kind of byte offset.
        for (int i = 0; i < 3; i++) {
            // Inside a quoted count of the last line: "…","100","10 (the reported case).
            int end = MODERNA.length() - 2 - random.nextInt(2);
            cases.add(truncated("moderna cut inside a quoted count, " + (MODERNA.length() - end) + " bytes short",
                "moderna", plain(MODERNA.substring(0, end)), 9L, "the body ends inside a quoted value"));
        }
        for (int i = 0; i < 3; i++) {
            // Inside the last line's population, an unquoted number: "…,New York,30" of 304204.
            String cut = POPULATION.substring(0, POPULATION.length() - 2 - random.nextInt(4));
            cases.add(truncated("population cut inside an unquoted number, ending '"
                + cut.substring(cut.length() - 6) + "'", "population", plain(cut), 54L,
                "the body ends in the middle of a line"));
        }
        for (int i = 0; i < 2; i++) {
            // At a line end, but short of the Content-Length the upstream promised.
            int line = 3 + random.nextInt(5);
            int at = nthLineEnd(PFIZER, line - 1);
            cases.add(truncated("pfizer short of its Content-Length, cut at the end of line " + (line - 1), "pfizer",
                cutOff(PFIZER, at), (long) line, "before its end"));
        }
        cases.add(truncated("moderna cut inside its header", "moderna", plain(MODERNA.substring(0, 30)), 1L,
            "the body ends inside a quoted value"));
        // A last line a field short: without its line break it may have lost its last field; with
        // it, it is whole (a cut in transfer leaves the last line open), and its content is wrong.
        cases.add(truncated("moderna's last line a field short, without its line break", "moderna",
            plain(MODERNA + "\"Ohio\",\"2021-01-11T00:00:00.000\",\"100\""), 10L, "the body looks cut short"));
        cases.add(content("moderna's last line a field short, with its line break", "moderna",
            plain(MODERNA + "\"Ohio\",\"2021-01-11T00:00:00.000\",\"100\"\n"), 10L, null,
            "the row has 3 fields, the header has 4, on the last line, which a line break ends"));

        // NUL and other control bytes, in names and counts (a NUL in a name answered 500).
        int[] controls = {0x00, 0x00, 0x01, 0x1b, 0x7f};
        for (int control : controls) {
            int line = 2 + random.nextInt(8);
            int field = random.nextInt(4);
            cases.add(content("moderna with byte " + String.format(Locale.ROOT, "0x%02x", control) + " in line " + line + ", "
                    + MODERNA_COLUMNS.get(field), "moderna", plain(withControl(MODERNA, line, field, (char) control)),
                (long) line, MODERNA_COLUMNS.get(field), "a control character"));
        }
        cases.add(content("population with a NUL in a county name", "population",
            plain(POPULATION.replace(",Albany,", ",Alb\0any,")), 35L, "County", "a control character"));

        // Encodings a UTF-8 reader would misread.
        for (String charset : List.of("UTF-16LE", "UTF-16BE")) {
            for (boolean bom : List.of(true, false)) {
                byte[] bytes = concat(bom ? (charset.endsWith("LE") ? new byte[] {(byte) 0xff, (byte) 0xfe}
                    : new byte[] {(byte) 0xfe, (byte) 0xff}) : new byte[0], PFIZER.getBytes(Charset.forName(charset)));
                cases.add(content("pfizer in " + charset + (bom ? " with" : " without") + " a byte-order mark",
                    "pfizer", bytes(bytes), 1L, null, "UTF-16 is not supported, save the file as UTF-8"));
            }
        }
        cases.add(content("population as a ZIP archive", "population",
            bytes(concat(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0}, new byte[200])), 1L, null, "a ZIP archive"));

        // Compression that cannot be undone.
        byte[] gzipped = gzip(MODERNA.getBytes(StandardCharsets.UTF_8));
        byte[] cutGzip = Arrays.copyOf(gzipped, gzipped.length * 2 / 3);
        cases.add(truncated("moderna gzipped, cut short", "moderna", encoded(cutGzip, "gzip"),
            lineWhereGunzipStops(cutGzip), "before its end"));
        // Two gzip members, the first whole lines 1-5, the second cut after its first 5 bytes (the
        // reported case: GZIPInputStream took the cut header for the end, and the first member
        // loaded as the file). The cut is in the gzip stream: the next line, 6, is where it stops.
        int fiveLines = nthLineEnd(MODERNA, 5);
        byte[] firstMember = gzip(MODERNA.substring(0, fiveLines).getBytes(StandardCharsets.UTF_8));
        byte[] secondMember = gzip(MODERNA.substring(fiveLines).getBytes(StandardCharsets.UTF_8));
        byte[] cutMember = concat(firstMember, Arrays.copyOf(secondMember, 5));
        cases.add(truncated("moderna gzipped in two members, the second cut after 5 bytes", "moderna",
            encoded(cutMember, "gzip"), 6L, "the gzip stream ends inside the header of member 2"));
        cases.add(truncated("moderna as a .csv.gz served as is, its second member cut after 5 bytes", "moderna",
            bytes(cutMember), 6L, "the gzip stream ends inside the header of member 2"));
        cases.add(content("moderna gzipped, with bytes that are not gzip after it", "moderna",
            encoded(concat(gzipped, "junk\n".getBytes(StandardCharsets.UTF_8)), "gzip"), 10L, null,
            "the compressed body is damaged (bytes that are not gzip follow gzip member 1)"));
        cases.add(content("moderna gzipped, its CRC-32 wrong", "moderna",
            encoded(withByteFlipped(gzipped, gzipped.length - 8), "gzip"), 10L, null,
            "the compressed body is damaged (the CRC-32 of gzip member 1 does not match its data)"));
        // A byte changed inside the compressed data (stored, so that it inflates, garbled, without a
        // word) makes a value the reader refuses before the stream's own check, at its end, tells:
        // the damage is the fault, naming the value it garbled. The file goes on for 2 MB, past
        // what the reader reads ahead (a short one met the check first and said so).
        byte[] stored = gzipStored((MODERNA + "\"Vermont\",\"2021-01-11T00:00:00.000\",\"300\",\"300\"\n"
            .repeat(40_000)).getBytes(StandardCharsets.UTF_8));
        byte[] garbled = withFirstChangedTo(stored, "\"100\",\"100\"\n", "\"100\",\"1x0\"\n");
        for (boolean labelled : List.of(true, false)) {
            cases.add(content("moderna gzipped" + (labelled ? "" : " and served as is") + ", a digit of line 9 "
                    + "changed inside its compressed data", "moderna",
                labelled ? encoded(garbled, "gzip") : bytes(garbled),
                9L, "_2nd_dose_allocations", "the compressed body is damaged (the CRC-32 of gzip member 1 does not "
                    + "match its data), so the value refused on line 9 may be the damage's doing: "));
        }
        cases.add(content("moderna in an encoding we cannot decode (br)", "moderna",
            encoded(MODERNA.getBytes(StandardCharsets.UTF_8), "br"), null, null, "Content-Encoding br"));

        // Headers: a column named twice, a column missing or nameless.
        cases.add(content("moderna names a column twice, in the export's spelling", "moderna",
            plain(withExtraColumn(MODERNA, "\"1st Dose Allocations\"", 2)), 1L, "1st Dose Allocations", "twice"));
        cases.add(content("pfizer names the jurisdiction twice", "pfizer",
            plain(withExtraColumn(PFIZER, "\"jurisdiction\"", 0)), 1L, "jurisdiction", "twice"));
        // An optional column we read, too: an ID of other values beside the Id, whichever came first.
        cases.add(content("population names its Id twice (ID, another spelling)", "population",
            plain(withExtraColumn(POPULATION, "ID", 2)), 1L, "ID", "twice"));
        cases.add(content("population's State column has no name", "population",
            plain(POPULATION.replaceFirst("State", "")), 1L, "State", "the header has no column State"));

        // Poisoned numbers: zero and negative populations, counts past any real one.
        int zeroLine = 2 + random.nextInt(30);
        String zeroState = POPULATION.lines().toList().get(zeroLine - 1).split(",")[3];
        if (zeroState.equals("New York") || zeroState.equals("Alaska")) {
            zeroLine = 2;
            zeroState = "Alabama";
        }
        cases.add(new Case("population of " + zeroState + " (line " + zeroLine + ") is 0", "population",
            plain(replaceLineEnd(POPULATION, zeroLine, ",0")), "/problems/source-content", (long) zeroLine,
            POPULATION_COLUMN, zeroState, "add up to a population of 0"));
        cases.add(new Case("New York's two counties both 0", "population",
            plain(replaceLineEnd(replaceLineEnd(POPULATION, 34, ",0"), 35, ",0")), "/problems/source-content", 34L,
            POPULATION_COLUMN, "New York", "the 2 counties of New York add up to a population of 0"));
        cases.add(new Case("a county of Ohio with 99,999,999,999 people", "population",
            plain(replaceLineEnd(POPULATION, 38, ",99999999999")), "/problems/source-content", 38L,
            POPULATION_COLUMN, "Ohio", "add up to 99999999999 people (from line 38), more than any state holds"));
        cases.add(new Case("Vermont has no county", "population",
            plain(withoutLines(POPULATION, "Vermont")), "/problems/source-content", null, "State", "Vermont",
            "no county of Vermont"));
        cases.add(new Case("Albany listed again with another population", "population",
            plain(POPULATION + "0500000US33003,33003,Albany,New York,7\n"), "/problems/source-content", 55L,
            POPULATION_COLUMN, "New York", "listed twice with different populations (lines 35 and 55)"));
        // Counties under a State no jurisdiction has: their people would count for no state, and
        // the state they belong to would be published short of them, with no warning.
        cases.add(new Case("Albany, New York with a non-breaking space after the state", "population",
            plain(POPULATION.replace(",Albany,New York,", ",Albany,New York\u00a0,")), "/problems/source-content", 35L,
            "State", "New York", "the state 'New York\\u00a0' is not a state, DC or territory that dwh.jurisdictions "
                + "knows, so its 1 county (1000 people) would count for no state: New York, written another way "
                + "(case, spacing, punctuation or invisible characters)?"));
        cases.add(new Case("Texas with a zero-width space", "population",
            plain(POPULATION.replace(",Texas,", ",Te\u200bxas,")), "/problems/source-content", 46L, "State", "Texas",
            "the state 'Te\\u200bxas' is not a state"));
        cases.add(new Case("VERMONT in capitals", "population",
            plain(POPULATION.replace(",Vermont,", ",VERMONT,")), "/problems/source-content", 48L, "State", "Vermont",
            "the state 'VERMONT' is not a state"));
        cases.add(new Case("Ohio with a Cyrillic O", "population",
            plain(POPULATION.replace(",Ohio,", ",\u041ehio,")), "/problems/source-content", 38L, "State", null,
            "the state '\\u041ehio' is not a state, DC or territory that dwh.jurisdictions knows, so its 1 county "
                + "(10000 people) would count for no state"));
        cases.add(new Case("Kings under New York City", "population",
            plain(POPULATION.replace(",Kings,New York,", ",Kings,New York City,")), "/problems/source-content", 34L,
            "State", "New York", "the state 'New York City' is a city in dwh.jurisdictions, not a state, so its 1 "
                + "county (5000 people) would count for no state: its people belong to New York"));
        // A state (or a counted city) written another way in an allocation source: its doses
        // would be left out of its state, with no more than a warning.
        cases.add(new Case("moderna's New York with a non-breaking space on line 8", "moderna",
            plain(replaceLine(MODERNA, 8, "\"New York\u00a0\",\"2020-12-28T00:00:00.000\",\"500\",\"0\"")),
            "/problems/source-content", 8L, "jurisdiction", "New York",
            "the jurisdiction 'New York\\u00a0' is New York written another way (case, spacing, punctuation or "
                + "invisible characters), so its 1 week (500 doses) would count for no state"));
        cases.add(new Case("moderna's VERMONT in capitals", "moderna",
            plain(MODERNA.replace("\"Vermont\"", "\"VERMONT\"")), "/problems/source-content", 4L, "jurisdiction",
            "Vermont", "the jurisdiction 'VERMONT' is Vermont"));
        cases.add(new Case("pfizer's Chicago behind a byte-order mark", "pfizer",
            plain(PFIZER.replace("\"Chicago\"", "\ufeff\"Chicago\"")), "/problems/source-content",
            3L, "jurisdiction", "Illinois",
            "the jurisdiction '\\ufeff\"Chicago\"' is Chicago written another way (case, spacing, punctuation or "
                + "invisible characters), so its 1 week (1200 doses) would count for no state (they count for Illinois)"));
        // A territory, a freely associated state or the Federal Entities written another way beside
        // their own rows of the same week: those doses would be counted twice among the exclusions.
        cases.add(appended("moderna's Guam also as GUAM", "moderna", "GUAM", 50, 10L, "the jurisdiction 'GUAM' is Guam "
            + "written another way (case, spacing, punctuation or invisible characters), so its 1 week (100 doses) "
            + "would be reported as an unknown jurisdiction's, beside Guam's own rows, which the source also gives for "
            + "that week: counted twice among the exclusions"));
        cases.add(appended("pfizer's Federal Entities also with two spaces", "pfizer", "Federal  Entities", 300, 9L,
            "the jurisdiction 'Federal  Entities' is Federal Entities written another way"));
        // A row that totals the file: by its counts (the week's other rows together, 2450 and 2450
        // in Moderna's week of 2021-01-04), or by its name; its doses would count twice.
        cases.add(appended("moderna with a Total row of its week", "moderna", "Total", 2450, 10L, "the jurisdiction "
            + "'Total' is a total of the file, not a jurisdiction (its counts in the week of 2021-01-04 are those of "
            + "the week's other rows together): its 1 week (4900 doses) would count every dose of that week a second "
            + "time, among the exclusions and the doses in the sources"));
        cases.add(appended("moderna with a sum under a name of no language of ours", "moderna", "Gesamt", 2450, 10L,
            "the jurisdiction 'Gesamt' is a total of the file, not a jurisdiction (its counts in the week of 2021-01-04"));
        for (String total : List.of("United States", "U.S. Total", "TOTALS", "All Jurisdictions", "National")) {
            cases.add(appended("pfizer with a row named " + total, "pfizer", total, 3000, 9L, "the jurisdiction '"
                + total + "' is a total of the file, not a jurisdiction (its name says so): its 1 week (6000 doses) "
                + "would count"));
        }
        // One allocation file served for both manufacturers, in the same bytes or in others.
        for (String lineEnd : List.of("\n", "\r\n")) {
            cases.add(new Case("pfizer serving the moderna file" + (lineEnd.length() == 2 ? " with CRLF" : ""),
                "pfizer", plain(MODERNA.replace("\n", lineEnd)), "/problems/source-content", null, null, null,
                "the moderna and pfizer sources hold the same 8 rows (MODERNA_URL "));
        }
        // ... or with a row repeated word for word: still the same rows.
        cases.add(new Case("pfizer serving the moderna file with a row repeated", "pfizer",
            plain(MODERNA + MODERNA.lines().skip(1).findFirst().orElseThrow() + "\n"), "/problems/source-content", null,
            null, null, "the moderna and pfizer sources hold the same 8 rows (MODERNA_URL "));
        // Doses before the manufacturer's vaccine was first allocated (Pfizer's in the week of
        // 2020-12-14, Moderna's of 2020-12-21): the Pfizer file served as Moderna's, the URLs
        // exchanged, would publish every dose under the wrong manufacturer. Lines 8 and 9 of the
        // Moderna fixture moved to Pfizer's first week: 500 + 0 and 100 + 100 doses.
        cases.add(new Case("moderna with doses in pfizer's first week, 2020-12-14", "moderna",
            plain(MODERNA.replace("2020-12-28", "2020-12-14")), "/problems/source-content", 8L,
            "week_of_allocations", "New York", "New York is allocated 500 doses in the week of 2020-12-14, before "
                + "moderna's vaccine was first allocated (the week of 2020-12-21), and so is 1 more row of the file "
                + "(700 doses in all): is it the other manufacturer's file (MODERNA_URL and PFIZER_URL exchanged?)"));
        cases.add(new Case("pfizer with doses in 2020-12-07", "pfizer",
            plain(PFIZER + "\"Vermont\",\"2020-12-07T00:00:00.000\",\"10\",\"0\"\n"),
            "/problems/source-content", 9L,
            "week_of_allocations", "Vermont", "Vermont is allocated 10 doses in the week of 2020-12-07, before "
                + "pfizer's vaccine was first allocated (the week of 2020-12-14): is it the other manufacturer's file"));
        // People counted twice: a summary row among the counties (only its Id tells it from a
        // county), or one county (one FIPS code) under two names, padded or not.
        cases.add(new Case("Vermont's total among its counties", "population",
            plain(POPULATION + "0400000US46,46,Vermont,Vermont,1234\n"), "/problems/source-content", 55L, "Id",
            "Vermont", "the Id 0400000US46 is a summary row (Census summary level 040), not a county, whose Id "
                + "begins 0500000US: its 1234 people are a total of counties, which the county file must not hold"));
        // Arkansas has a county named Arkansas: its total row has that county's key, and is still
        // reported as the summary row it is, not as that county with a second population.
        cases.add(new Case("Arkansas's total beside Arkansas County", "population",
            plain(POPULATION + "0500000US04003,04003,Arkansas,Arkansas,500\n0400000US04,04,Arkansas,Arkansas,10500\n"),
            "/problems/source-content", 56L, "Id", "Arkansas", "the Id 0400000US04 is a summary row (Census "
                + "summary level 040)"));
        // A state's total that no Id marks: its people equal the sum of the state's other lines
        // (1234 + 1000 + 766 = 3000, lines 48, 55 and 56), or its county code is 000.
        String vermont = "0500000US46003,46003,Bennington,Vermont,1000\n0500000US46005,46005,Caledonia,Vermont,766\n";
        String sum = "Vermont, Vermont has 3000 people, exactly as many as the 3 other counties of Vermont together: "
            + "it is the state's total, not a county, and its people would be counted twice";
        cases.add(new Case("Vermont's total appended by hand to a file without ids", "population",
            plain(withoutColumn(withoutColumn(POPULATION + vermont, 0), 0) + "Vermont,Vermont,3000\n"),
            "/problems/source-content", 57L, POPULATION_COLUMN, "Vermont", sum));
        cases.add(new Case("Vermont's total as Statewide, without ids", "population",
            plain(POPULATION + vermont + ",,Statewide,Vermont,3000\n"), "/problems/source-content", 57L,
            POPULATION_COLUMN, "Vermont", sum.replace("Vermont, Vermont has", "Statewide, Vermont has")));
        cases.add(new Case("Vermont's total as Statewide, under a county code of its own", "population",
            plain(POPULATION + vermont + "0500000US46999,46999,Statewide,Vermont,3000\n"),
            "/problems/source-content", 57L, POPULATION_COLUMN, "Vermont",
            sum.replace("Vermont, Vermont has", "Statewide, Vermont has")));
        // Named after its state in other words than the state's name alone.
        cases.add(new Case("Vermont's total as State of Vermont, without ids", "population",
            plain(POPULATION + vermont + ",,State of Vermont,Vermont,3000\n"), "/problems/source-content", 57L,
            POPULATION_COLUMN, "Vermont", sum.replace("Vermont, Vermont has", "State of Vermont, Vermont has")));
        // Under a label no rule foresees, '(all)', in three states: a file of totals. New York
        // 5000 + 1000 = 6000 (line 58); Illinois 3000 + DuPage 1500 = 4500 (line 60).
        cases.add(new Case("totals labelled (all) in Vermont, New York and Illinois, without ids", "population",
            plain(POPULATION + vermont + ",,(all),Vermont,3000\n,,(all),New York,6000\n"
                + ",,DuPage,Illinois,1500\n,,(all),Illinois,4500\n"), "/problems/source-content", 57L,
            POPULATION_COLUMN, "Vermont", sum.replace("Vermont, Vermont has", "(all), Vermont has")
                + " (3 states of the file have a line that holds the rest of the state)"));
        // Under a label no rule foresees, in one state, but over 1.8 times its census count
        // (Wyoming, 576,851): 10,000 + 300,000 + 290,000 = 600,000, and 1,200,000 with the total.
        cases.add(new Case("Wyoming's total labelled Sum, twice its census count", "population",
            plain(POPULATION + ",,North Laramie,Wyoming,300000\n,,South Laramie,Wyoming,290000\n"
                + ",,Sum,Wyoming,600000\n"),
            "/problems/source-content", 57L, POPULATION_COLUMN, "Wyoming", "Sum, Wyoming has 600000 people, exactly "
                + "as many as the 3 other counties of Wyoming together: it is the state's total, not a county, and "
                + "its people would be counted twice"));
        // A state's own code is its Census FIPS code (Vermont's 50), whatever the file's counties are
        // numbered (the fixture's Vermont is 46): under another state, such numbers are a file's own.
        cases.add(new Case("Vermont's total under its two-digit state code, no Id", "population",
            plain(POPULATION + vermont + ",50,Vermont,Vermont,2999\n"), "/problems/source-content", 57L, "Id2",
            "Vermont", "the code 50 is a state's, not a county's"));
        cases.add(new Case("Vermont's total with its Id in lower case", "population",
            plain(POPULATION + vermont + "0400000us46,46,Vermont,Vermont,2999\n"), "/problems/source-content", 57L,
            "Id", "Vermont", "the Id 0400000us46 is a summary row (Census summary level 040)"));
        cases.add(new Case("Vermont's stale total as county 000", "population",
            plain(POPULATION + vermont + "0500000US50000,50000,Vermont,Vermont,2999\n"),
            "/problems/source-content", 57L, "Id2", "Vermont", "the code 50000 is a state's, not a county's (a "
                + "county's has five digits and does not end in 000, the state's total in Census files): its 2999 "
                + "people are a total of counties"));
        // One code under a State the reference does not know: the unplaced-county check says it better.
        cases.add(new Case("Addison again under VERMONT", "population",
            plain(POPULATION + "0500000US46001,46001,Addison,VERMONT,1234\n"), "/problems/source-content", 55L,
            "State", "Vermont", "the state 'VERMONT' is not a state"));
        cases.add(new Case("Vermont's total in a file with an Id and no Id2", "population",
            plain(withoutColumn(POPULATION, 1) + "0400000US46,Vermont,Vermont,1234\n"), "/problems/source-content",
            55L, "Id", "Vermont", "the Id 0400000US46 is a summary row (Census summary level 040)"));
        cases.add(new Case("Vermont's rural part among its counties", "population",
            plain(POPULATION + "0400043US46,46,Vermont,Vermont,1000\n"), "/problems/source-content", 55L, "Id",
            "Vermont", "the Id 0400043US46 is a summary row (Census summary level 040)"));
        cases.add(new Case("Addison under two names in a file with an Id and no Id2", "population",
            plain(withoutColumn(POPULATION, 1) + "0500000US46001,Addison County,Vermont,1234\n"),
            "/problems/source-content", 55L, "Id", "Vermont", "the county 46001 is listed twice, as Addison, "
                + "Vermont (line 48) and as Addison County, Vermont"));
        cases.add(new Case("the nation's total among the counties", "population",
            plain(POPULATION + "0100000US,,United States,United States,41234\n"), "/problems/source-content", 55L,
            "Id", null, "the Id 0100000US is a summary row (Census summary level 010)"));
        cases.add(new Case("Addison under two names", "population",
            plain(POPULATION + "0500000US46001,46001,Addison County,Vermont,1234\n"), "/problems/source-content",
            55L, "Id2", "Vermont", "the county 46001 is listed twice, as Addison, Vermont (line 48) and as Addison "
                + "County, Vermont: its people would be counted twice"));
        cases.add(new Case("Alabama's county again, its FIPS code unpadded", "population",
            plain(POPULATION + "0500000US01001,1001,Fixture County,Alabama,10000\n"),
            "/problems/source-content", 55L, "Id2", "Alabama", "the county 01001 is listed twice, as Fixture, Alabama "
                + "(line 2) and as Fixture County, Alabama"));
        // One county under two spellings in a file without ids: no code tells them apart, and
        // its people would count twice. Capitals; and Unicode's two forms of ñ, which print alike.
        cases.add(new Case("Albany again in capitals, without ids", "population",
            plain(withoutColumn(withoutColumn(POPULATION, 0), 0) + "ALBANY,New York,1000\n"),
            "/problems/source-content", 55L, "County", "New York",
            "ALBANY, New York is the county 'Albany' (line 35) written another way (case, spacing, accents, "
                + "punctuation, invisible characters or a word such as County): its people would be counted twice"));
        cases.add(new Case("Albany County beside Albany, without ids", "population",
            plain(withoutColumn(withoutColumn(POPULATION, 0), 0) + "Albany County,New York,1000\n"),
            "/problems/source-content", 55L, "County", "New York",
            "Albany County, New York is the county 'Albany' (line 35) written another way"));
        // The kind word however it is set off or shortened: each of these loaded, Albany counted twice.
        for (String albany : List.of("Albany County.", "Albany (County)", "\"Albany, County\"", "Albany-County",
                "Albany_County", "Albany/County", "Albany [county]", "Albany Co.", "Albany Co", "Albany Cnty",
                "ALBANY ( COUNTY )")) {
            cases.add(new Case(albany + " beside Albany, without ids", "population",
                plain(withoutColumn(withoutColumn(POPULATION, 0), 0) + albany + ",New York,1000\n"),
                "/problems/source-content", 55L, "County", "New York",
                albany.replace("\"", "") + ", New York is the county 'Albany' (line 35) written another way"));
        }
        cases.add(new Case("Saint Lawrence beside St. Lawrence, without ids", "population",
            plain(POPULATION + ",,St. Lawrence,New York,500\n,,Saint Lawrence County,New York,500\n"),
            "/problems/source-content", 56L, "County", "New York",
            "Saint Lawrence County, New York is the county 'St. Lawrence' (line 55) written another way"));
        cases.add(new Case("Do\u00f1a Ana composed and decomposed, without ids", "population",
            plain(POPULATION + ",,Do\u00f1a Ana,New Mexico,500\n,,Don\u0303a Ana,New Mexico,500\n"),
            "/problems/source-content", 56L, "County", "New Mexico",
            "Don\\u0303a Ana, New Mexico is the county 'Do\u00f1a Ana' (line 55) written another way"));
        // One name under two county codes, with the same population: two counties of one name, or
        // one county under two codes; folded into one, one county's people would be lost.
        cases.add(new Case("Fixture, Alabama again under another code", "population",
            plain(POPULATION + "0500000US01999,01999,Fixture,Alabama,10000\n"), "/problems/source-content", 55L,
            "Id2", "Alabama", "Fixture, Alabama is listed twice with different county codes, 01001 (line 2) and "
                + "01999 (line 55): two counties of one name, or one county under two codes?"));
        cases.add(new Case("Fixture, Alabama again under another Id, no Id2 column", "population",
            plain(withoutColumn(POPULATION, 1) + "0500000US01999,Fixture,Alabama,10000\n"),
            "/problems/source-content", 55L, "Id", "Alabama", "Fixture, Alabama is listed twice with different "
                + "county codes, 01001 (line 2) and 01999 (line 55)"));
        cases.add(content("a negative population", "population", plain(replaceLineEnd(POPULATION, 20, ",-5")), 20L,
            POPULATION_COLUMN, "is negative"));
        cases.add(content("a count past any real one", "pfizer",
            plain(PFIZER.replace("\"1200\",\"1200\"", "\"1200\",\"92233720368547758070\"")), 4L,
            "_2nd_dose_allocations", "larger than any real count"));
        cases.add(content("a week in 1920", "moderna", plain(MODERNA.replace("2020-12-28", "1920-12-28")), 8L,
            "week_of_allocations", "is before 2020"));
        // A week not dated by its Monday would split the weekly series: a whole file a day early
        // (a time zone), one line a day late, and day and month read the wrong way round.
        cases.add(content("pfizer's weeks a day early", "pfizer", plain(PFIZER.replace("2021-01-04", "2021-01-03")),
            2L, "week_of_allocations", "the week 2021-01-03 is a Sunday: allocation weeks are dated by their Monday"));
        cases.add(content("moderna's line 9 a day late", "moderna",
            plain(replaceLine(MODERNA, 9, "\"New York City\",\"2020-12-29T00:00:00.000\",\"100\",\"100\"")), 9L,
            "week_of_allocations", "the week 2020-12-29 is a Tuesday"));
        cases.add(content("moderna's 4 January 2021 written day first", "moderna",
            plain(MODERNA.replace("2021-01-04T00:00:00.000", "04/01/2021")), 2L, "week_of_allocations",
            "the week '04/01/2021' (read as 2021-04-01) is a Thursday"));

        // Lines with thousands of fields, and a header whose name holds a line break.
        for (int fields : List.of(600, 100_000)) {
            int line = 2 + random.nextInt(7);
            cases.add(content("pfizer line " + line + " with " + fields + " fields", "pfizer",
                plain(replaceLine(PFIZER, line, String.join(",", Collections.nCopies(fields, "1")))), (long) line, null,
                "more than 512 fields"));
        }
        cases.add(content("a header name holding a line break and a forged log line", "moderna",
            plain(MODERNA.replaceFirst("\"jurisdiction\"",
                "\"jurisdic\n2026-01-01T00:00:00.000Z ERROR forged\"")), 1L, "jurisdiction",
            "the header has no column jurisdiction"));
        return cases.stream();
    }

    /**
     * The fixture allocation file of {@code source} with a row of {@code jurisdiction} appended
     * (the week of 2021-01-04, {@code each} doses of each dose), refused at {@code line} of its
     * column jurisdiction, naming no state.
     */
    private static Case appended(String name, String source, String jurisdiction, long each, long line, String detail) {
        String file = source.equals("moderna") ? MODERNA : PFIZER;
        return new Case(name, source, plain(file + NationalFiles.line(jurisdiction, "2021-01-04", each) + "\n"),
            "/problems/source-content", line, "jurisdiction", null, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRejectedNamingWhereAndLeavesTheProductAndAClosedRun(Case hostile) {
        served.upstream().serve(path(hostile.source()), hostile.body());
        Response response = served.given().post("/refresh");
        String body = response.asString();
        assertEquals(422, response.statusCode(), body);
        assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
        JsonPath problem = response.jsonPath();
        assertEquals(hostile.type(), problem.getString("type"), body);
        assertEquals(hostile.source(), problem.getString("source"), body);
        assertEquals(served.upstream().url(path(hostile.source())).toString(), problem.getString("url"), body);
        assertEquals(hostile.line(), problem.get("line") == null ? null : problem.getLong("line"), body);
        assertEquals(hostile.column(), problem.getString("column"), body);
        assertEquals(hostile.state(), problem.getString("state"), body);
        String detail = problem.getString("detail");
        assertTrue(detail.contains(hostile.detail()), "'" + hostile.detail() + "' not in: " + detail);
        assertFalse(detail.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "a control character in: " + detail);

        assertEquals(product, served.given().get("/ratios").asString(), "the product changed");
        Map<String, Object> lastRun = served.app().wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select status, error, finished_at from dwh.refresh_runs order by run_id desc limit 1")
            .mapToMap().one());
        assertEquals("failed", lastRun.get("status"));
        assertNotNull(lastRun.get("finished_at"), "the run is not closed");
        assertEquals(detail, lastRun.get("error"), "the run records the detail the problem gave");
    }

    /**
     * A territory written another way, alone in its weeks, is still a warning: its doses are
     * reported once, under the name as written and of kind unknown, and the product is the same.
     */
    @Test
    void aTerritoryWrittenAnotherWayAloneIsAWarningAndCountsOnce() {
        served.upstream().serve("/m.csv", MODERNA.replace("\"Guam\"", "\"GUAM\"").getBytes(StandardCharsets.UTF_8));
        try {
            served.given().post("/refresh").then().statusCode(200)
                .body("doses_in_sources", equalTo(13930))
                .body("doses_excluded", equalTo(2130))
                .body("exclusions.jurisdiction", contains("Federal Entities", "GUAM", "Palau", "Atlantis"))
                .body("exclusions.kind", contains("federal", "unknown", "freely_associated_state", "unknown"))
                .body("exclusions.doses_total", contains(2000, 100, 20, 10))
                .body("checks.find { it.name == 'accepted_values_jurisdiction' }.status", equalTo("warn"));
            assertEquals(withoutTimes(product), withoutTimes(served.given().get("/ratios").asString()));
        } finally {
            serveGoodSources();
            served.given().post("/refresh").then().statusCode(200);
            product = served.given().get("/ratios").asString();
        }
    }

    /** gzip, zlib-deflate and bare deflate, labelled by Content-Encoding, and a gzip file served as is. */
    static Stream<String> codings() {
        return Stream.of("gzip", "x-gzip", "deflate", "deflate (bare)", "gzip, unlabelled");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codings")
    void aCompressedSourceLoadsAsThePlainFile(String coding) {
        byte[] plain = POPULATION.getBytes(StandardCharsets.UTF_8);
        byte[] compressed = coding.contains("gzip") ? gzip(plain) : deflate(plain, coding.contains("bare"));
        served.upstream().serve("/c.csv", coding.contains("unlabelled") ? bytes(compressed)
            : encoded(compressed, coding.replace(" (bare)", "")));
        JsonPath report = served.given().post("/refresh").then().statusCode(200).extract().jsonPath();
        assertEquals(Fixtures.sha256(plain), report.getString("sources.find { it.source == 'population' }.sha256"),
            "the report hashes the file, as if it came plain");
        assertEquals(plain.length, report.getLong("sources.find { it.source == 'population' }.bytes"));
        assertEquals(withoutTimes(product), withoutTimes(served.given().get("/ratios").asString()));
        product = served.given().get("/ratios").asString();
    }

    /** A county line repeated word for word counts once, as a repeated allocation row does. */
    @org.junit.jupiter.api.Test
    void aCountyLineRepeatedWordForWordCountsOnce() {
        served.upstream().serve("/c.csv", (POPULATION + "0500000US33003,33003,Albany,New York,1000\n")
            .getBytes(StandardCharsets.UTF_8));
        JsonPath report = served.given().post("/refresh").then().statusCode(200).extract().jsonPath();
        assertEquals(54, report.getInt("sources.find { it.source == 'population' }.rows"));
        served.given().get("/ratios/NY").then().statusCode(200)
            .body("population", org.hamcrest.Matchers.equalTo(6000));
        assertEquals(withoutTimes(product), withoutTimes(served.given().get("/ratios").asString()));
        product = served.given().get("/ratios").asString();
    }

    /**
     * Ids that do not read as a county's code, among lines that do, are named: a code too short or
     * too long to be a county's, a cut Id. They loaded as counties before. The Id2 that is not its
     * Id's code first (CountyCodesTest), then the lines without a code (CountiesWithoutACodeTest);
     * the product stays as it was; and a line under a State the reference does not know, whose
     * ids do not read either, is that State's fault (a 422, never the 500 it once was).
     */
    @org.junit.jupiter.api.Test
    void countiesWhoseIdsAreNotACountysAreNamed() {
        String windham = ",013,Windham,Vermont,10\n"; // no Id, and a three-digit code: line 55
        String cut = "0500000US,,Essex,Vermont,1\n0500000US,,Orange,Vermont,1\n"; // a cut Id, no Id2
        rejected(POPULATION + windham + "0500000US01003,013,Baldwin,Alabama,5\n" + cut
            + "0500000US01001,010010,Autauga,Alabama,7\n", 56, "Id2", "Alabama",
            "Baldwin, Alabama has the Id2 013, not the county code of its Id 0500000US01003 (01003): were two of "
                + "its values exchanged, or is the line damaged?. 2 lines of the file have an Id2 other than their "
                + "Id's code");
        rejected(POPULATION + windham + cut, 55, "Id2", "Vermont",
            "Windham, Vermont has the Id2 013 and no Id, which do not read as a county's code (an Id 0500000US and "
                + "five digits, or without an Id an Id2 of four or five digits), as the file's other lines do: "
                + "another geography (a metropolitan area, a city), or a damaged line? Its 10 people would be counted "
                + "as a county's. 3 lines of the file have no county code");
        rejected(POPULATION + ",,Foo,Atlantis,100\n", 55, "State", null,
            "the state 'Atlantis' is not a state, DC or territory that dwh.jurisdictions knows");
        rejected(POPULATION + "0500000US50001,99999,Fixture,Atlantis,10\n", 55, "Id2", null,
            "Fixture, Atlantis has the Id2 99999, not the county code of its Id 0500000US50001 (50001)");
    }

    /** Refreshes with {@code counties}: a 422 naming the line, column and state, the product as it was. */
    private void rejected(String counties, long line, String column, String state, String detail) {
        served.upstream().serve("/c.csv", counties.getBytes(StandardCharsets.UTF_8));
        try {
            JsonPath problem = served.given().post("/refresh").then().statusCode(422).extract().jsonPath();
            assertEquals(line, problem.getLong("line"));
            assertEquals(column, problem.getString("column"));
            assertEquals(state, problem.getString("state"));
            assertTrue(problem.getString("detail").contains(detail), problem.getString("detail"));
            assertEquals(product, served.given().get("/ratios").asString());
        } finally {
            served.upstream().serve("/c.csv", POPULATION.getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---- building cases ------------------------------------------------------------------------

    private static final List<String> MODERNA_COLUMNS = List.of("jurisdiction", "week_of_allocations",
        "_1st_dose_allocations", "_2nd_dose_allocations");

    private static Case truncated(String name, String source, FixtureServer.Behaviour body, Long line, String detail) {
        return new Case(name, source, body, "/problems/source-truncated", line, null, null, detail);
    }

    private static Case content(String name, String source, FixtureServer.Behaviour body, Long line, String column,
                                String detail) {
        return new Case(name, source, body, "/problems/source-content", line, column, null, detail);
    }

    private static String path(String source) {
        return switch (source) {
            case "moderna" -> "/m.csv";
            case "pfizer" -> "/p.csv";
            default -> "/c.csv";
        };
    }

    /** {@code csv} without its column at {@code index} (no field of these fixtures holds a comma). */
    private static String withoutColumn(String csv, int index) {
        StringBuilder out = new StringBuilder();
        for (String line : csv.split("\n", -1)) {
            if (!line.isEmpty()) {
                List<String> fields = new ArrayList<>(List.of(line.split(",", -1)));
                fields.remove(index);
                out.append(String.join(",", fields)).append('\n');
            }
        }
        return out.toString();
    }

    private static FixtureServer.Behaviour plain(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static FixtureServer.Behaviour bytes(byte[] body) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    private static FixtureServer.Behaviour encoded(byte[] body, String contentEncoding) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.getResponseHeaders().set("Content-Encoding", contentEncoding);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    /** Promises the whole text's length, sends its first {@code sent} bytes, and drops the connection. */
    private static FixtureServer.Behaviour cutOff(String text, int sent) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, sent);
            out.flush();
            exchange.close();
        };
    }

    private static int nthLineEnd(String text, int lines) {
        int at = -1;
        for (int i = 0; i < lines; i++) {
            at = text.indexOf('\n', at + 1);
        }
        return at + 1;
    }

    private static String withControl(String text, int line, int field, char control) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        List<String> fields = new ArrayList<>(Arrays.asList(lines.get(line - 1).split(",", -1)));
        String value = fields.get(field);
        fields.set(field, value.substring(0, 2) + control + value.substring(2)); // after the quote and a character
        lines.set(line - 1, String.join(",", fields));
        return String.join("\n", lines) + "\n";
    }

    private static String withExtraColumn(String text, String name, int copyOf) {
        List<String> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        out.add(lines.get(0) + "," + name);
        for (String line : lines.subList(1, lines.size())) {
            out.add(line + "," + line.split(",")[copyOf]);
        }
        return String.join("\n", out) + "\n";
    }

    private static String replaceLine(String text, int line, String replacement) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        lines.set(line - 1, replacement);
        return String.join("\n", lines) + "\n";
    }

    /** The line with its last field ({@code ,value}) replaced. */
    private static String replaceLineEnd(String text, int line, String lastField) {
        String old = text.lines().toList().get(line - 1);
        return replaceLine(text, line, old.substring(0, old.lastIndexOf(',')) + lastField);
    }

    private static String withoutLines(String text, String state) {
        return String.join("\n", text.lines().filter(line -> !line.endsWith("," + state + ",10000")
            && !line.contains("," + state + ",")).toList()) + "\n";
    }

    private static String withoutTimes(String json) {
        return json.replaceAll("\"refreshed_at\":\"[^\"]*\"", "");
    }

    private static String text(String fixture) {
        return new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8);
    }

    /** The line of the text that a cut gzip stream gives before it fails. */
    private static long lineWhereGunzipStops(byte[] cut) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(cut))) {
            byte[] buffer = new byte[1];
            while (in.read(buffer) > 0) {
                text.write(buffer[0]);
            }
        } catch (IOException expected) {
            // the cut
        }
        return 1 + text.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] plain, boolean bare) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, bare))) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code plain} in gzip without compression: its bytes stand in the stream as they are. */
    private static byte[] gzipStored(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code bytes} with the first occurrence of {@code from} (ASCII) written as {@code to}, of its length. */
    private static byte[] withFirstChangedTo(byte[] bytes, String from, String to) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(from);
        assertTrue(at >= 0 && from.length() == to.length(), from);
        byte[] copy = bytes.clone();
        System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, copy, at, to.length());
        return copy;
    }

    private static byte[] withByteFlipped(byte[] bytes, int at) {
        byte[] copy = bytes.clone();
        copy[at] ^= 0x5a;
        return copy;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
