package dev.statedoses.refresh;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.NationalFiles;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The numbers over sources no one wrote by hand: seeded random source sets, each refreshed through
 * the real service, and every number it publishes compared with a model of docs/data.md written
 * here, apart from the SQL: a state's people are its counties' (a line repeated word for word
 * once), its doses the first plus second doses of its own rows and its counted cities' in both
 * files (a row repeated word for word once, footnote asterisks on a name dropped), people per dose
 * their quotient rounded half up to 4 decimals or null without doses; everything else is an
 * exclusion of its jurisdiction; a week's doses are those of its rows, the weekly total and people
 * per dose cumulative over every week of the sources; {@code as_of} counts the weeks up to it.
 *
 * <p>Two shapes of source set, alternately. <b>National</b>: every state, DC and counted city in
 * every week of both files, beside some of the territories, freely associated states and Federal
 * Entities, with doses that follow the 2020 census as the CDC's did, the territories' too (within
 * the bounds the source checks hold a national file to, so that each set must load), in Pfizer's
 * and Moderna's packs.
 * <b>Small</b>: a few places and others, in some weeks each, counts of any size, and a name no one
 * knows. Both: a county file near the census (about 60 counties a state for national sets, a file
 * of the whole country; one to four for small ones), Puerto Rico's municipios or not; lines in
 * any order, some repeated word for word; columns in another order, or one more, fields quoted or
 * not, CRLF or LF; and, now and then, a county file served again unchanged, so that a refresh
 * builds on the rows it kept. {@link #aChangedSetIsEitherTheModelsOrRefusedWithTheProductKept}
 * then changes one thing in a loaded set.
 *
 * <p>The seed is printed with each case; {@code -Dfuzz.seed=N} plays the same cases again, and
 * {@code -Dfuzz.cases=N} plays more of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedSourcesTest {

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private static final LocalDate FIRST_MONDAY = LocalDate.parse("2020-12-21");
    private static final List<String> UNKNOWN = List.of("Atlantis", "Lemuria");
    private static final List<String> COUNTY_NAMES = List.of("Alder", "Birch", "Cedar", "Dogwood");

    /** A jurisdiction of the reference: its kind, the state its doses count for, its census count (a state's, DC's or territory's) and code. */
    private record Jurisdiction(String name, String kind, String state, String stateCode, long census, String fips) {
    }

    /** A line of an allocation file: the name as written, the jurisdiction it is, a week, each dose. */
    private record Allocation(String written, String jurisdiction, LocalDate week, long first, long second,
                              Map<String, String> writtenOtherwise) {

        /** A line written as the CDC writes one. */
        Allocation(String written, String jurisdiction, LocalDate week, long first, long second) {
            this(written, jurisdiction, week, first, second, Map.of());
        }

        /** The same line with one column's value written {@code text}. */
        Allocation writing(String column, String text) {
            Map<String, String> otherwise = new TreeMap<>(writtenOtherwise);
            otherwise.put(column, text);
            return new Allocation(written, jurisdiction, week, first, second, Map.copyOf(otherwise));
        }

        String line() {
            Map<String, String> values = values();
            return ALLOCATION_COLUMNS.stream().map(values::get).collect(Collectors.joining(", "));
        }

        Map<String, String> values() {
            Map<String, String> values = new java.util.HashMap<>(Map.of("jurisdiction", written,
                "week_of_allocations", week + "T00:00:00.000", "_1st_dose_allocations", Long.toString(first),
                "_2nd_dose_allocations", Long.toString(second),
                "hhs_region", "Region " + (1 + Math.floorMod(jurisdiction.hashCode(), 10))));
            values.putAll(writtenOtherwise);
            return values;
        }
    }

    /** A line of the county file. */
    private record County(String code, String name, String state, long population) {

        String line() {
            return code + ", " + name + ", " + state + ", " + population;
        }

        Map<String, String> values() {
            return Map.of("Id", "0500000US" + code, "Id2", code, "County", name, "State", state,
                "Population Estimate 2018", Long.toString(population),
                "Population Estimate 2019", Long.toString(population + 7));
        }
    }

    /** How a file is written: its columns in their order (an extra one now and then), quoted or not, its line ends. */
    private record Layout(List<String> columns, boolean quoted, boolean crlf) {

        static Layout drawn(Random random, List<String> required, String extra, boolean quoted) {
            List<String> columns = new ArrayList<>(required);
            if (random.nextInt(4) == 0) {
                columns.add(extra);
            }
            if (random.nextInt(4) == 0) {
                Collections.shuffle(columns, random);
            }
            return new Layout(List.copyOf(columns), quoted, random.nextBoolean());
        }

        byte[] write(List<Map<String, String>> rows) {
            String end = crlf ? "\r\n" : "\n";
            StringBuilder file = new StringBuilder(line(columns)).append(end);
            for (Map<String, String> row : rows) {
                file.append(line(columns.stream().map(row::get).toList())).append(end);
            }
            return file.toString().getBytes(StandardCharsets.UTF_8);
        }

        private String line(List<String> fields) {
            return fields.stream().map(f -> quoted || f.contains(",") ? "\"" + f + "\"" : f)
                .collect(Collectors.joining(","));
        }
    }

    private static final List<String> ALLOCATION_COLUMNS =
        List.of("jurisdiction", "week_of_allocations", "_1st_dose_allocations", "_2nd_dose_allocations");
    private static final List<String> COUNTY_COLUMNS =
        List.of("Id", "Id2", "County", "State", "Population Estimate 2018");

    /** The two allocation files and the county file, as lines, and how each file is written. */
    private record SourceSet(List<Allocation> moderna, List<Allocation> pfizer, List<County> counties,
                             List<Layout> layouts) {

        SourceSet(List<Allocation> moderna, List<Allocation> pfizer, List<County> counties, Random random) {
            this(moderna, pfizer, counties, List.of(
                Layout.drawn(random, ALLOCATION_COLUMNS, "hhs_region", random.nextInt(4) > 0),
                Layout.drawn(random, ALLOCATION_COLUMNS, "hhs_region", random.nextInt(4) > 0),
                Layout.drawn(random, COUNTY_COLUMNS, "Population Estimate 2019", random.nextInt(4) == 0)));
        }

        byte[] modernaBytes() {
            return layouts.get(0).write(moderna.stream().map(Allocation::values).toList());
        }

        byte[] pfizerBytes() {
            return layouts.get(1).write(pfizer.stream().map(Allocation::values).toList());
        }

        byte[] countyBytes() {
            return layouts.get(2).write(counties.stream().map(County::values).toList());
        }
    }

    private final Map<String, Jurisdiction> reference = new LinkedHashMap<>();
    private List<Jurisdiction> states;

    @BeforeAll
    void readTheReference() {
        TestWarehouse.jdbi(served.config()).useHandle(h -> h.createQuery(
                "select name, kind, coalesce(folds_into, name), state_code,"
                    + " coalesce(census_2020_population, territory_census_2020_population), fips"
                    + " from dwh.jurisdictions order by name")
            .map((rs, ctx) -> reference.put(rs.getString(1), new Jurisdiction(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6))))
            .list());
        states = reference.values().stream().filter(j -> j.kind().equals("state") || j.kind().equals("district"))
            .toList();
        assertEquals(51, states.size(), "the reference's states and DC");
    }

    @Test
    void everyNumberIsTheModelsOverGeneratedSources() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int cases = Integer.getInteger("fuzz.cases", 24);
        System.out.println("GeneratedSourcesTest: seed " + seed + ", " + cases + " cases (-Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        SourceSet previous = null;
        for (int n = 0; n < cases; n++) {
            boolean national = n % 2 == 0;
            SourceSet set = national ? national(random) : small(random);
            if (previous != null && random.nextInt(4) == 0) {
                // Served again byte for byte: the refresh keeps the rows it loaded last time.
                set = new SourceSet(set.moderna(), set.pfizer(), previous.counties(),
                    List.of(set.layouts().get(0), set.layouts().get(1), previous.layouts().get(2)));
            }
            String said = "seed " + seed + ", case " + n + " (" + (national ? "national" : "small") + ")";
            JsonPath report = refresh(set);
            assertEquals("succeeded", report.getString("status"), said + ": " + report.prettify());
            compare(set, report, said, random);
            previous = set;
        }
    }

    /**
     * Whatever one change to a loaded set makes of it (a count a digit off or a little off, a row
     * lost, a row contradicting another, a county ten times over or lost, a row under a name no one
     * knows, a week not dated by its Monday), the refresh either publishes the model's numbers of
     * the changed set or is refused, naming what it refused, with the product as it was, byte for
     * byte, and the run on record as failed.
     */
    @Test
    void aChangedSetIsEitherTheModelsOrRefusedWithTheProductKept() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int cases = Integer.getInteger("fuzz.cases", 24);
        System.out.println("GeneratedSourcesTest changes: seed " + seed + ", " + cases + " cases (-Dfuzz.seed="
            + seed + ")");
        Random random = new Random(seed);
        Map<String, String> outcomes = new TreeMap<>();
        for (int n = 0; n < cases; n++) {
            boolean national = n % 2 == 0;
            SourceSet set = national ? national(random) : small(random);
            String said = "seed " + seed + ", case " + n + " (" + (national ? "national" : "small") + ")";
            JsonPath loaded = refresh(set);
            assertEquals("succeeded", loaded.getString("status"), said + ": " + loaded.prettify());
            String product = served.given().get("/ratios?format=csv").then().statusCode(200).extract().asString();
            String weeks = served.given().get("/ratios/weekly?format=csv").then().statusCode(200).extract().asString();

            Changed changed = changed(set, random);
            serve(changed.set());
            said += ", changed: " + changed.what();
            io.restassured.response.Response answer = served.given().config(DECIMALS)
                .post("/refresh").then().extract().response();
            outcomes.merge((national ? "national, " : "small, ") + changed.kind(),
                answer.statusCode() == 200 ? "L" : "R", String::concat);
            if (answer.statusCode() == 200 && changed.line() == 0) {
                JsonPath report = answer.jsonPath();
                assertEquals("succeeded", report.getString("status"), said + ": " + report.prettify());
                compare(changed.set(), report, said, random);
                continue;
            }
            assertTrue(!changed.kind().equals(WRITTEN_OTHERWISE), said + ": refused: " + answer.asString());
            JsonPath problem = answer.jsonPath();
            assertEquals(422, answer.statusCode(), said + ": " + answer.asString());
            if (changed.line() > 0) {
                // Which source, which line, what was wrong.
                assertEquals(changed.source(), problem.getString("source"), said + ": " + answer.asString());
                assertEquals(changed.line(), problem.getInt("line"), said + ": " + answer.asString());
                assertEquals("_1st_dose_allocations", problem.getString("column"), said + ": " + answer.asString());
            }
            assertTrue(problem.getString("detail").length() > 20, said + ": " + answer.asString());
            assertTrue(problem.get("source") != null || problem.get("checks") != null,
                said + ": a refusal names its source or its check: " + answer.asString());
            assertEquals(product, served.given().get("/ratios?format=csv").then().statusCode(200).extract().asString(),
                said + ": the product after a refusal");
            assertEquals(weeks, served.given().get("/ratios/weekly?format=csv").then().statusCode(200).extract()
                .asString(), said + ": the weeks after a refusal");
            JsonPath run = served.given().get("/refreshes?limit=1").then().statusCode(200).extract().jsonPath();
            assertEquals("failed", run.getString("[0].status"), said);
            assertEquals(problem.getString("detail"), run.getString("[0].error"), said);
        }
        // Each kind of change, and what each case of it did: L loaded, R refused.
        System.out.println("GeneratedSourcesTest changes: " + outcomes);
    }

    /** Serves the set's three files at /m.csv, /p.csv and /c.csv and answers the refresh's report. */
    private JsonPath refresh(SourceSet set) {
        serve(set);
        return served.given().config(DECIMALS).post("/refresh").then().extract().jsonPath();
    }

    /**
     * A set with one change: the kind of change, the change in words, and, for a value
     * no count can be, the line and source a refusal must name (0 otherwise).
     */
    private record Changed(SourceSet set, String kind, String what, int line, String source) {
    }

    /** Kinds of change with a required outcome: written as exporters write a count, and a value no count can be. */
    private static final String WRITTEN_OTHERWISE = "a count or a week written as exporters write them";
    private static final String NOT_A_COUNT = "first doses written as no count is";

    private Changed changed(SourceSet set, Random random) {
        List<Allocation> moderna = new ArrayList<>(set.moderna());
        List<Allocation> pfizer = new ArrayList<>(set.pfizer());
        List<County> counties = new ArrayList<>(set.counties());
        boolean isModerna = random.nextBoolean();
        List<Allocation> file = isModerna ? moderna : pfizer;
        int pack = isModerna ? 20 : 6;
        Allocation a = file.get(random.nextInt(file.size()));
        County c = counties.get(random.nextInt(counties.size()));
        String where = (isModerna ? "moderna's " : "pfizer's ") + a.line();
        String kind;
        String what = where;
        int line = 0;
        switch (random.nextInt(10)) {
            case 0 -> {
                replace(file, a, with(a, a.week(), Math.max(pack, a.first()) * 10));
                kind = "first doses ten times over";
            }
            case 1 -> {
                replace(file, a, with(a, a.week(), a.first() + pack * (1 + random.nextInt(5))));
                kind = "first doses a few packs more";
            }
            case 2 -> {
                file.removeIf(a::equals);
                kind = "a row lost";
            }
            case 3 -> {
                file.add(random.nextInt(file.size() + 1), with(a, a.week(), a.first() + pack));
                kind = "a row again with other first doses";
            }
            case 4 -> {
                replace(counties, c, new County(c.code(), c.name(), c.state(), c.population() * 10));
                kind = "a county ten times over";
                what = c.line();
            }
            case 5 -> {
                counties.removeIf(c::equals);
                kind = "a county lost";
                what = c.line();
            }
            case 6 -> {
                replace(file, a, new Allocation("Hyperborea", "Hyperborea", a.week(), a.first(), a.second()));
                kind = "a row under a name no one knows";
            }
            case 7 -> {
                replace(file, a, with(a, a.week().plusDays(1 + random.nextInt(6)), a.first()));
                kind = "a row dated a day of the week after its Monday";
            }
            case 8 -> {
                // The same values, so the same product (docs/failures.md, "valid data in other shapes").
                boolean aDate = random.nextBoolean();
                String column = aDate ? "week_of_allocations" : "_1st_dose_allocations";
                String text = aDate ? dateOtherwise(a.week(), random) : switch (random.nextInt(3)) {
                    case 0 -> a.first() >= 1000 ? thousands(a.first()) : a.first() + ".0";
                    case 1 -> a.first() + ".0";
                    default -> " " + a.first() + " ";
                };
                replace(file, a, a.writing(column, text));
                kind = WRITTEN_OTHERWISE;
                what = where + " written '" + text + "'";
            }
            default -> {
                String text = List.of("-" + (a.first() + pack), "many", "", a.first() + ".5", "0x" + a.first())
                    .get(random.nextInt(5));
                Allocation bad = a.writing("_1st_dose_allocations", text);
                replace(file, a, bad);
                kind = NOT_A_COUNT;
                what = where + " written '" + text + "'";
                // The file's first line with the value (the header is line 1).
                line = file.indexOf(bad) + 2;
            }
        }
        return new Changed(new SourceSet(moderna, pfizer, counties, set.layouts()), kind, what + ": " + kind, line,
            isModerna ? "moderna" : "pfizer");
    }

    private static void serve(SourceSet set) {
        served.upstream().serve("/m.csv", set.modernaBytes());
        served.upstream().serve("/p.csv", set.pfizerBytes());
        served.upstream().serve("/c.csv", set.countyBytes());
    }

    private static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
        "Sep", "Oct", "Nov", "Dec");

    /** A date as spreadsheets, pandas and Socrata's export write it (docs/failures.md lists the forms loaded). */
    private static String dateOtherwise(LocalDate date, Random random) {
        int m = date.getMonthValue();
        int d = date.getDayOfMonth();
        int y = date.getYear();
        String mm = m < 10 ? "0" + m : Integer.toString(m);
        String dd = d < 10 ? "0" + d : Integer.toString(d);
        List<String> forms = List.of(m + "/" + d + "/" + y, m + "/" + d + "/" + (y % 100), y + "/" + mm + "/" + dd,
            d + "-" + MONTHS.get(m - 1) + "-" + y, date + " 00:00:00", m + "/" + d + "/" + y + " 0:00",
            mm + "/" + dd + "/" + y + " 12:00:00 AM", date + "T00:00:00Z", date + "T00:00:00+00:00", date.toString());
        return forms.get(random.nextInt(forms.size()));
    }

    /** A whole count with thousands separators, as a spreadsheet writes it: 1,234,560. */
    private static String thousands(long count) {
        String digits = Long.toString(count);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                text.append(',');
            }
            text.append(digits.charAt(i));
        }
        return text.toString();
    }

    private static Allocation with(Allocation a, LocalDate week, long first) {
        return new Allocation(a.written(), a.jurisdiction(), week, first, a.second());
    }

    /** Every copy of {@code old} in {@code lines} (a line may be repeated word for word) replaced. */
    private static <T> void replace(List<T> lines, T old, T now) {
        lines.replaceAll(line -> line.equals(old) ? now : line);
    }

    // ---- the generators ----------------------------------------------------------------------

    /** Every state, DC and counted city in every week of both files, doses following the census. */
    private SourceSet national(Random random) {
        // A national file with the week after its maker's first week has that first week too
        // (Pfizer's 2020-12-14, a week before Moderna's): without it, it is a file cut short.
        List<LocalDate> weeks = weeks(random, 1 + random.nextInt(8));
        while (weeks.get(0).equals(FIRST_MONDAY.plusWeeks(1))) {
            weeks = weeks(random, weeks.size());
        }
        List<LocalDate> pfizerWeeks = new ArrayList<>(weeks);
        if (weeks.get(0).equals(FIRST_MONDAY)) {
            pfizerWeeks.add(0, FIRST_MONDAY.minusWeeks(1));
        }
        Map<String, Double> cityShare = Map.of(
            "New York City", between(random, 0.35, 0.5),
            "Chicago", between(random, 0.2, 0.35),
            "Philadelphia", between(random, 0.08, 0.15));
        List<String> others = reference.values().stream()
            .filter(j -> Set.of("territory", "freely_associated_state", "federal").contains(j.kind()))
            .map(Jurisdiction::name).filter(name -> random.nextInt(10) < 7).toList();
        List<Allocation> moderna = nationalFile(random, weeks, cityShare, others, 20, between(random, 0.8, 1.2));
        List<Allocation> pfizer = nationalFile(random, pfizerWeeks, cityShare, others, 6, between(random, 0.9, 1.3));
        return new SourceSet(moderna, pfizer, counties(random, true), random);
    }

    private List<Allocation> nationalFile(Random random, List<LocalDate> weeks, Map<String, Double> cityShare,
                                          List<String> others, int pack, double perThousand) {
        Map<String, String> written = footnoted(random, NationalFiles.PLACES);
        List<Allocation> file = new ArrayList<>();
        for (LocalDate week : weeks) {
            double level = perThousand * between(random, 0.7, 1.4);
            List<Allocation> rows = new ArrayList<>();
            for (String place : NationalFiles.PLACES) {
                Jurisdiction j = reference.get(place);
                Jurisdiction state = reference.get(j.state());
                double people = state.census() * (j.kind().equals("city") ? cityShare.get(place)
                    : 1 - cityShareOf(place, cityShare));
                long first = packs(people / 1000 * level * between(random, 0.9, 1.15), pack);
                long second = packs(first * between(random, 0.95, 1.0), pack);
                rows.add(new Allocation(written.get(place), place, week, first, second));
            }
            for (String other : others) {
                // A territory by its census too (the source checks hold it to the states' doses per
                // resident), in lumps now and then; the rest any count of a few thousand.
                Jurisdiction j = reference.get(other);
                long first = packs(other.equals("Federal Entities") ? between(random, 3000, 6000)
                    : j.kind().equals("territory") ? (random.nextInt(5) == 0 ? 0
                        : j.census() / 1000.0 * level * between(random, 0.5, 2.0))
                    : between(random, 0, 3000), pack);
                long second = other.equals("Federal Entities") ? first : 0;
                rows.add(new Allocation(other, other, week, first, second));
            }
            if (random.nextBoolean()) {
                Collections.shuffle(rows, random);
            }
            file.addAll(rows);
        }
        if (random.nextBoolean()) {
            // Newest week first, as the CDC's files run.
            Collections.reverse(file);
        }
        return repeated(random, file);
    }

    /** The share of a state's people its counted city holds (0 for a state without one). */
    private double cityShareOf(String state, Map<String, Double> cityShare) {
        return cityShare.entrySet().stream().filter(e -> reference.get(e.getKey()).state().equals(state))
            .mapToDouble(Map.Entry::getValue).sum();
    }

    /** A few places and others in some weeks each, counts of any size, now and then a name no one knows. */
    private SourceSet small(Random random) {
        List<LocalDate> weeks = weeks(random, 1 + random.nextInt(5));
        List<String> named = new ArrayList<>(NationalFiles.PLACES);
        named.addAll(reference.values().stream().filter(j -> !NationalFiles.PLACES.contains(j.name()))
            .map(Jurisdiction::name).toList());
        Collections.shuffle(named, random);
        // Nine at most: with ten states or more with doses, one far from the others' median is
        // judged implausible (sql/checks/plausible_people_per_dose.sql), and these counts are random.
        List<String> places = new ArrayList<>(named.subList(0, 1 + random.nextInt(9)));
        if (random.nextInt(3) == 0) {
            places.add(UNKNOWN.get(random.nextInt(UNKNOWN.size())));
        }
        List<Allocation> moderna = smallFile(random, weeks, places, 20);
        List<Allocation> pfizer = smallFile(random, weeks, places, 6);
        while (rows(pfizer).equals(rows(moderna))) {
            // Two files of the same rows (a place's weeks of 0, say) are one file served under both
            // URLs (sql/checks/sources/same_allocations.sql).
            pfizer = smallFile(random, weeks, places, 6);
        }
        return new SourceSet(moderna, pfizer, counties(random, false), random);
    }

    /** A file's rows as the warehouse tells them apart: a place (footnotes dropped), a week and its doses. */
    private static Set<List<Object>> rows(List<Allocation> file) {
        return file.stream().map(a -> List.<Object>of(a.jurisdiction(), a.week(), a.first(), a.second()))
            .collect(Collectors.toSet());
    }

    private List<Allocation> smallFile(Random random, List<LocalDate> weeks, List<String> places, int pack) {
        Map<String, String> written = footnoted(random, places);
        // A name no one knows in a week a state of the file has no row in is that state renamed
        // (sql/checks/sources/renamed_jurisdictions.sql): beside one, every place has every week.
        boolean gaps = places.stream().noneMatch(UNKNOWN::contains);
        List<Allocation> file = new ArrayList<>();
        for (String place : places) {
            // A place's weeks within three times each other: a week over 20 times the average of
            // the place's others is a cell with digits too many, in any file of four weeks or more
            // (sql/checks/sources/outlying_allocations.sql).
            long scale = new long[] {0, 1_000, 100_000, 10_000_000}[random.nextInt(4)];
            for (LocalDate week : weeks) {
                if (!gaps || random.nextInt(5) > 0) {
                    long first = packs(between(random, 0.5, 1.5) * scale, pack);
                    long second = random.nextBoolean() ? first : packs(between(random, 0.5, 1.5) * scale, pack);
                    file.add(new Allocation(written.get(place), place, week, first, second));
                }
            }
        }
        if (file.isEmpty()) {
            // A file of a header alone is refused as holding no data: one row at least.
            file.add(new Allocation(written.get(places.get(0)), places.get(0), weeks.get(0), pack, pack));
        }
        Collections.shuffle(file, random);
        return repeated(random, file);
    }

    /**
     * Counties near each state's and DC's census count: for the whole country, about 60 a state
     * (3,000 or more in all, a file the census check judges: sql/checks/sources/states_off_their_census.sql),
     * otherwise one to four; Puerto Rico's municipios or not.
     */
    private List<County> counties(Random random, boolean wholeCountry) {
        List<County> counties = new ArrayList<>();
        for (Jurisdiction state : states) {
            long people = Math.round(state.census() * between(random, 0.96, 1.01));
            int n = wholeCountry ? 58 + random.nextInt(5) : 1 + random.nextInt(4);
            double[] weights = random.doubles(n, 0.5, 1.5).toArray();
            double sum = java.util.Arrays.stream(weights).sum();
            long left = people;
            for (int i = 0; i < n; i++) {
                long part = i == n - 1 ? left : Math.max(1, Math.round(people * weights[i] / sum));
                left -= part;
                String code = state.fips() + Integer.toString(1001 + 2 * i).substring(1);
                String kind = state.name().equals("Louisiana") ? " Parish" : random.nextBoolean() ? " County" : "";
                counties.add(new County(code, COUNTY_NAMES.get(i % COUNTY_NAMES.size()) + (i < COUNTY_NAMES.size()
                    ? "" : " " + i) + kind, state.name(), part));
            }
        }
        if (random.nextBoolean()) {
            counties.add(new County("72001", "Adjuntas Municipio", "Puerto Rico", 17_000));
            counties.add(new County("72003", "Aguada Municipio", "Puerto Rico", 38_000));
        }
        if (random.nextBoolean()) {
            Collections.shuffle(counties, random);
        }
        return repeated(random, counties);
    }

    /** {@code count} consecutive Mondays from one of the first twenty of the vaccines' weeks. */
    private static List<LocalDate> weeks(Random random, int count) {
        LocalDate first = FIRST_MONDAY.plusWeeks(random.nextInt(20));
        List<LocalDate> weeks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            weeks.add(first.plusWeeks(i));
        }
        return weeks;
    }

    /** Each place's name as a file writes it: now and then with the CDC's footnote asterisks. */
    private static Map<String, String> footnoted(Random random, List<String> places) {
        return places.stream().collect(Collectors.toMap(p -> p,
            p -> random.nextInt(10) == 0 ? p + (random.nextBoolean() ? "*" : "**,***") : p));
    }

    /** The lines, a few repeated word for word at random places now and then. */
    private static <T> List<T> repeated(Random random, List<T> lines) {
        List<T> out = new ArrayList<>(lines);
        if (!lines.isEmpty() && random.nextInt(3) == 0) {
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                out.add(random.nextInt(out.size() + 1), lines.get(random.nextInt(lines.size())));
            }
        }
        return out;
    }

    private static long packs(double doses, int pack) {
        return Math.max(0, Math.round(doses / pack)) * pack;
    }

    private static double between(Random random, double low, double high) {
        return low + random.nextDouble() * (high - low);
    }

    // ---- the model and the comparison --------------------------------------------------------

    /** What a state row holds: its people and each manufacturer's doses. */
    private record StateRow(long population, long moderna, long pfizer) {
    }

    /** The run's report and every answer of the product against the model of {@code set}. */
    private void compare(SourceSet set, JsonPath report, String said, Random random) {
        Set<Allocation> moderna = new LinkedHashSet<>(set.moderna());
        Set<Allocation> pfizer = new LinkedHashSet<>(set.pfizer());
        Map<String, Long> people = new TreeMap<>();
        new LinkedHashSet<>(set.counties()).forEach(c -> people.merge(c.state(), c.population(), Long::sum));

        // The run's totals and exclusions.
        long inSources = total(moderna) + total(pfizer);
        long inStates = total(forStates(moderna)) + total(forStates(pfizer));
        assertEquals(51, report.getInt("state_rows"), said);
        assertEquals(inSources, report.getLong("doses_in_sources"), said);
        assertEquals(inStates, report.getLong("doses_in_state_rows"), said);
        assertEquals(inSources - inStates, report.getLong("doses_excluded"), said);
        Map<String, String> exclusions = new TreeMap<>();
        for (String name : excludedNames(moderna, pfizer)) {
            long m = total(moderna.stream().filter(a -> a.jurisdiction().equals(name)).toList());
            long p = total(pfizer.stream().filter(a -> a.jurisdiction().equals(name)).toList());
            String kind = reference.containsKey(name) ? reference.get(name).kind() : "unknown";
            exclusions.put(name, kind + " " + m + " " + p + " " + (m + p));
        }
        Map<String, String> reported = new TreeMap<>();
        for (Map<String, Object> e : report.<Map<String, Object>>getList("exclusions")) {
            reported.put((String) e.get("jurisdiction"), e.get("kind") + " " + e.get("doses_moderna") + " "
                + e.get("doses_pfizer") + " " + e.get("doses_total"));
        }
        assertEquals(exclusions, reported, said + ": exclusions");

        // Every state row, all of them at once.
        Map<String, StateRow> model = stateRows(people, moderna, pfizer, null);
        assertEquals(rowsAsText(model), rowsAsText(served.given().config(DECIMALS).get("/ratios").then()
            .statusCode(200).extract().jsonPath().getList("")), said + ": GET /ratios");
        // And as CSV, written apart from the JSON: RFC 4180, a null ratio an empty field.
        String csv = served.given().get("/ratios?format=csv").then().statusCode(200).extract().asString();
        assertEquals(states.stream().map(state -> rowAsCsv(state, model.get(state.name())))
                .collect(Collectors.joining("\n")), java.util.Arrays.stream(csv.split("\r\n")).skip(1)
                .map(line -> line.substring(0, line.lastIndexOf(','))).collect(Collectors.joining("\n")),
            said + ": GET /ratios?format=csv");

        // One state by its code, as of a date around the sources' weeks, and a state's weeks.
        Jurisdiction one = states.get(random.nextInt(states.size()));
        assertEquals(rowAsText(one, model.get(one.name())), rowsAsText(List.of(served.given().config(DECIMALS)
            .get("/ratios/" + one.stateCode()).then().statusCode(200).extract().jsonPath().getMap(""))),
            said + ": GET /ratios/" + one.stateCode());
        TreeSet<LocalDate> weeks = new TreeSet<>();
        moderna.forEach(a -> weeks.add(a.week()));
        pfizer.forEach(a -> weeks.add(a.week()));
        LocalDate asOf = weeks.first().plusDays(random.nextInt((int) (weeks.last().toEpochDay()
            - weeks.first().toEpochDay()) + 15) - 7L);
        assertEquals(rowsAsText(stateRows(people, moderna, pfizer, asOf)), rowsAsText(served.given()
            .config(DECIMALS).get("/ratios?as_of=" + asOf).then().statusCode(200).extract().jsonPath().getList("")),
            said + ": GET /ratios?as_of=" + asOf);
        Jurisdiction other = states.get(random.nextInt(states.size()));
        assertEquals(weeklyAsText(other, people, moderna, pfizer, weeks), weeklyText(served.given().config(DECIMALS)
            .get("/ratios/" + other.stateCode() + "/weekly").then().statusCode(200).extract().jsonPath()
            .getList("")), said + ": GET /ratios/" + other.stateCode() + "/weekly");
    }

    /** The state rows, of every week or of those up to {@code asOf}. */
    private Map<String, StateRow> stateRows(Map<String, Long> people, Set<Allocation> moderna,
                                            Set<Allocation> pfizer, LocalDate asOf) {
        Map<String, StateRow> rows = new TreeMap<>();
        for (Jurisdiction state : states) {
            rows.put(state.name(), new StateRow(people.getOrDefault(state.name(), 0L),
                total(upTo(of(state, moderna), asOf)), total(upTo(of(state, pfizer), asOf))));
        }
        return rows;
    }

    /** The state (or DC) whose row a line's doses count in: its own, or a counted city's; null for an exclusion. */
    private String countedIn(Allocation a) {
        Jurisdiction j = reference.get(a.jurisdiction());
        return j != null && states.contains(reference.get(j.state())) ? j.state() : null;
    }

    private List<Allocation> of(Jurisdiction state, Set<Allocation> file) {
        return file.stream().filter(a -> state.name().equals(countedIn(a))).toList();
    }

    private List<Allocation> forStates(Set<Allocation> file) {
        return file.stream().filter(a -> countedIn(a) != null).toList();
    }

    private Set<String> excludedNames(Set<Allocation> moderna, Set<Allocation> pfizer) {
        return java.util.stream.Stream.concat(moderna.stream(), pfizer.stream()).filter(a -> countedIn(a) == null)
            .map(Allocation::jurisdiction).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Allocation> upTo(List<Allocation> rows, LocalDate asOf) {
        return asOf == null ? rows : rows.stream().filter(a -> !a.week().isAfter(asOf)).toList();
    }

    private static long total(java.util.Collection<Allocation> rows) {
        return rows.stream().mapToLong(a -> a.first() + a.second()).sum();
    }

    private static String ratio(long population, long doses) {
        return doses == 0 ? "null" : BigDecimal.valueOf(population)
            .divide(BigDecimal.valueOf(doses), 4, RoundingMode.HALF_UP).toPlainString();
    }

    private String rowsAsText(Map<String, StateRow> rows) {
        return states.stream().map(s -> rowAsText(s, rows.get(s.name()))).collect(Collectors.joining("\n"));
    }

    private static String rowAsText(Jurisdiction state, StateRow row) {
        long doses = row.moderna() + row.pfizer();
        return String.join(" ", state.name(), state.stateCode(), Long.toString(row.population()),
            Long.toString(row.moderna()), Long.toString(row.pfizer()), Long.toString(doses),
            ratio(row.population(), doses));
    }

    /** A state row as the CSV answer writes it, without its refreshed_at. */
    private static String rowAsCsv(Jurisdiction state, StateRow row) {
        long doses = row.moderna() + row.pfizer();
        String ratio = ratio(row.population(), doses);
        return String.join(",", state.name(), state.stateCode(), Long.toString(row.population()),
            Long.toString(row.moderna()), Long.toString(row.pfizer()), Long.toString(doses),
            ratio.equals("null") ? "" : ratio);
    }

    private static String rowsAsText(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> String.join(" ", (String) r.get("state"), (String) r.get("state_code"),
                text(r.get("population")), text(r.get("doses_moderna")), text(r.get("doses_pfizer")),
                text(r.get("doses_total")), text(r.get("people_per_dose"))))
            .collect(Collectors.joining("\n"));
    }

    private String weeklyAsText(Jurisdiction state, Map<String, Long> people, Set<Allocation> moderna,
                                Set<Allocation> pfizer, TreeSet<LocalDate> weeks) {
        List<String> lines = new ArrayList<>();
        long cumulative = 0;
        long population = people.getOrDefault(state.name(), 0L);
        for (LocalDate week : weeks) {
            long m = total(of(state, moderna).stream().filter(a -> a.week().equals(week)).toList());
            long p = total(of(state, pfizer).stream().filter(a -> a.week().equals(week)).toList());
            cumulative += m + p;
            lines.add(week + " " + m + " " + p + " " + cumulative + " " + ratio(population, cumulative));
        }
        return String.join("\n", lines);
    }

    private static String weeklyText(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> r.get("week") + " " + text(r.get("doses_moderna")) + " "
                + text(r.get("doses_pfizer")) + " " + text(r.get("doses_total")) + " " + text(r.get("people_per_dose")))
            .collect(Collectors.joining("\n"));
    }

    /** A number as the API wrote it: 0.8000 stays 0.8000 (read as BigDecimal); null as null. */
    private static String text(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
    }

    @Test
    void theModelsRatioRoundsHalfUpAtTheFourthDecimal() {
        // The model's own arithmetic, against numbers worked out by hand (fixtures/README.md).
        assertEquals("1.7629", ratio(1234, 700));
        assertEquals("0.8000", ratio(6000, 7500));
        assertEquals("0.0001", ratio(1, 20_000));
        assertEquals("0.0000", ratio(1, 20_001));
        assertEquals("null", ratio(900, 0));
        assertEquals("0.4286", ratio(3, 7));
    }
}
