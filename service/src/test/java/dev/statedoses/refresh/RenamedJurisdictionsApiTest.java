package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppWithUpstream;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A state, DC or counted city under a new name in an allocation source, through the real service.
 * The spelling check knows {@code VERMONT}; a new name ({@code Green Mountain State}, {@code
 * Vermont (VT)}) has no letters in common to go by, and its doses would count for no state while
 * the state is published short of them with a 200. What tells it apart from a new jurisdiction is
 * where it stands: in weeks where a state has no row.
 *
 * <p>Every case is generated, with a seed per case, from national files like the real ones: every
 * state, DC and counted city that {@code dwh.jurisdictions} knows, three territories, and eight
 * weeks, in each source, with doses of a state's size. Renames, throughout or from a random week,
 * alone or in batches, beside new small names, must fail naming a renamed name's first line and
 * its state; new jurisdictions, renamed territories and a file cut off mid-week must load, each
 * state with the doses worked out here from the generated rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenamedJurisdictionsApiTest {

    private static final int WEEKS = 8;
    private static final LocalDate FIRST_WEEK = LocalDate.of(2021, 1, 4); // a Monday
    private static final List<String> TERRITORIES = List.of("Guam", "Palau", "Federal Entities");
    private static final List<String> SOURCES = List.of("moderna", "pfizer");

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    /** Each state, DC and counted city, and the state (or DC) its doses count for. */
    private Map<String, String> countsFor;
    /** Each state's and DC's postal code. */
    private Map<String, String> codes;

    @BeforeAll
    void start() {
        countsFor = new LinkedHashMap<>();
        served.app().wiring().warehouse().jdbi().useHandle(h -> h.createQuery("""
                select name, coalesce(folds_into, name) as state from dwh.jurisdictions
                where kind in ('state', 'district', 'city') order by name""")
            .map((rs, ctx) -> countsFor.put(rs.getString("name"), rs.getString("state"))).list());
        codes = new LinkedHashMap<>();
        served.app().wiring().warehouse().jdbi().useHandle(h -> h.createQuery(
                "select name, state_code from dwh.jurisdictions where state_code is not null order by name")
            .map((rs, ctx) -> codes.put(rs.getString("name"), rs.getString("state_code"))).list());
    }

    // ---- the generated sources ----------------------------------------------------------------

    /** One allocation row. */
    record Row(String jurisdiction, LocalDate week, long first, long second) {
        long doses() {
            return first + second;
        }
    }

    /** A rename made to a source, and what the refresh must say of it. */
    record Rename(String source, String oldName, String newName, String state) {
    }

    /** A case: both sources' rows, in file order, and the renames in them (none: it must load). */
    record Case(String name, Map<String, List<Row>> sources, List<Rename> renames) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Both sources, complete: every name in every week, a state's size of doses, in a shuffled order. */
    private Map<String, List<Row>> complete(Random random) {
        List<String> names = new ArrayList<>(countsFor.keySet());
        names.addAll(TERRITORIES);
        // 1,000 to 100,000 a week, as the real states' range, each name its own size; a state gets
        // about as much of one vaccine as of the other, as the real ones did.
        Map<String, Double> size = new HashMap<>();
        names.forEach(n -> size.put(n, Math.exp(Math.log(1000) + random.nextDouble() * Math.log(100))));
        Map<String, List<Row>> sources = new LinkedHashMap<>();
        for (String source : SOURCES) {
            Map<String, Double> usual = new HashMap<>();
            names.forEach(n -> usual.put(n, size.get(n) * (0.8 + 0.45 * random.nextDouble())));
            List<Row> rows = new ArrayList<>();
            for (int w = WEEKS - 1; w >= 0; w--) { // newest first, as the CDC's files
                Collections.shuffle(names, random);
                for (String name : names) {
                    long doses = Math.round(usual.get(name) * (0.7 + 0.6 * random.nextDouble()));
                    // A week of twice that many doses or of that many, half of each the second
                    // dose: allocated with the first, as the real ones (second_doses judges it).
                    long each = random.nextBoolean() ? doses : (doses + 1) / 2;
                    rows.add(new Row(name, FIRST_WEEK.plusWeeks(w), each, each));
                }
            }
            sources.put(source, rows);
        }
        return sources;
    }

    private static List<Row> renamed(List<Row> rows, String from, String to, LocalDate since) {
        return rows.stream().map(r -> r.jurisdiction().equals(from) && !r.week().isBefore(since)
            ? new Row(to, r.week(), r.first(), r.second()) : r).toList();
    }

    /** A new name in {@code weeks}, with {@code doses} 1st-dose doses a week, placed at random lines. */
    private static List<Row> withNew(List<Row> rows, String name, List<LocalDate> weeks, long doses, Random random) {
        List<Row> out = new ArrayList<>(rows);
        for (LocalDate week : weeks) {
            out.add(random.nextInt(out.size() + 1), new Row(name, week, doses, 0));
        }
        return out;
    }

    private static List<LocalDate> weeksFrom(int first) {
        return IntStream.range(first, WEEKS).mapToObj(FIRST_WEEK::plusWeeks).toList();
    }

    private static String pick(List<String> from, Random random) {
        return from.get(random.nextInt(from.size()));
    }

    /**
     * The start of a case: complete sources from {@code seed}, one of the sources, a state, DC or
     * city of it ({@code old}, whose doses count for {@code state}), and the seed's random to go on.
     */
    private record Draw(Random random, Map<String, List<Row>> sources, String source, String old, String state) {
        /** A week from {@code first} to {@code last} (0 is the first). */
        int week(int first, int last) {
            return first + random.nextInt(last - first + 1);
        }

        /** The source's rows, changed. */
        void change(UnaryOperator<List<Row>> change) {
            sources.put(source, change.apply(sources.get(source)));
        }

        /** The old name renamed {@code name} from week {@code since} on. */
        Rename rename(String name, int since) {
            change(rows -> renamed(rows, old, name, FIRST_WEEK.plusWeeks(since)));
            return new Rename(source, old, name, state);
        }

        Case fails(String what, Rename... renames) {
            return new Case(old + " " + what + " in " + source, sources, List.of(renames));
        }

        Case loads(String what) {
            return new Case(what + " in " + source, sources, List.of());
        }
    }

    private Draw draw(long seed) {
        Random random = new Random(seed);
        Map<String, List<Row>> sources = complete(random);
        String source = pick(SOURCES, random);
        String old = pick(List.copyOf(countsFor.keySet()), random);
        return new Draw(random, sources, source, old, countsFor.get(old));
    }

    Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // Renamed throughout one source, or in both.
            Draw d = draw(1000 + i);
            String name = List.of("Green Mountain State", "Jurisdiction 7", "State of the Union", "Q", "Nouvelle")
                .get(i);
            List<Rename> renames = new ArrayList<>();
            for (String source : i % 3 == 2 ? SOURCES : List.of(d.source())) {
                d.sources().put(source, renamed(d.sources().get(source), d.old(), name, FIRST_WEEK));
                renames.add(new Rename(source, d.old(), name, d.state()));
            }
            cases.add(new Case(d.old() + " renamed '" + name + "' throughout " + renames.stream().map(Rename::source)
                .toList(), d.sources(), renames));
        }
        for (int i = 0; i < 6; i++) {
            Draw d = draw(2000 + i);
            int since = d.week(1, WEEKS - 1);
            cases.add(d.fails("renamed from week " + since, d.rename(d.old() + " (new)", since)));
        }
        for (int i = 0; i < 2; i++) {
            // Renamed in every other week only: the weeks' bounds overlap, and each week is looked at.
            Draw d = draw(2500 + i);
            int parity = d.random().nextInt(2);
            d.change(rows -> rows.stream().map(r -> r.jurisdiction().equals(d.old()) && (r.week().toEpochDay() / 7) % 2
                == parity ? new Row(d.old() + " (alt)", r.week(), r.first(), r.second()) : r).toList());
            cases.add(d.fails("renamed in every other week", new Rename(d.source(), d.old(), d.old() + " (alt)",
                d.state())));
        }
        for (int i = 0; i < 6; i++) {
            // A batch: two or three renamed from the same week, as the CDC footnoted 17 names at once;
            // to 'State of ...', or to their postal codes.
            Draw d = draw(3000 + i);
            boolean byCode = i >= 4;
            int since = d.week(0, WEEKS - 2);
            List<String> names = new ArrayList<>(byCode ? codes.keySet() : countsFor.keySet());
            Collections.shuffle(names, d.random());
            List<Rename> renames = new ArrayList<>();
            for (String old : names.subList(0, 2 + d.random().nextInt(2))) {
                String name = byCode ? codes.get(old) : "State of " + old;
                d.change(rows -> renamed(rows, old, name, FIRST_WEEK.plusWeeks(since)));
                renames.add(new Rename(d.source(), old, name, countsFor.get(old)));
            }
            cases.add(new Case(renames.stream().map(Rename::newName).toList() + " in " + d.source() + " from week "
                + since, d.sources(), renames));
        }
        for (int i = 0; i < 5; i++) {
            // Beside a new name in the same weeks, small or of the state's size: the name that holds
            // the state's is the one named.
            Draw d = draw(4000 + i);
            int since = d.week(0, WEEKS - 2);
            boolean small = i < 3;
            long doses = small ? 5 + d.random().nextInt(20)
                : d.sources().get(d.source()).stream().filter(r -> r.jurisdiction().equals(d.old()))
                    .mapToLong(Row::doses).sum() / WEEKS;
            d.change(rows -> withNew(rows, small ? "Aaa New Territory" : "Department of Defense", weeksFrom(since),
                doses, d.random()));
            cases.add(d.fails("renamed from week " + since + " beside a new name of " + doses + " a week",
                d.rename("Zzz " + d.old(), since)));
        }
        for (int i = 0; i < 2; i++) {
            // Renamed after weeks of zeros, as Alaska's lake weeks are: its usual comes from the other source.
            Draw d = draw(4700 + i);
            int since = d.week(1, WEEKS - 1);
            d.change(rows -> rows.stream().map(r -> r.jurisdiction().equals(d.old())
                && r.week().isBefore(FIRST_WEEK.plusWeeks(since)) ? new Row(d.old(), r.week(), 0, 0) : r).toList());
            cases.add(d.fails("renamed from week " + since + " after weeks of zeros", d.rename("Renamed " + i, since)));
        }
        for (int i = 0; i < 2; i++) {
            // Both names in the week of the change.
            Draw d = draw(4800 + i);
            int since = d.week(1, WEEKS - 2);
            Rename rename = d.rename(d.old() + " (new)", since);
            d.change(rows -> withNew(rows, d.old(), List.of(FIRST_WEEK.plusWeeks(since)), 10, d.random()));
            cases.add(d.fails("renamed from week " + since + ", both names in that week", rename));
        }
        // What must load: new jurisdictions of any size, in every week, from a week on, in
        // scattered weeks or in a state's weeks of zeros; a territory under a new name; and a
        // last week cut off mid-file beside a new name.
        for (int i = 0; i < 3; i++) {
            Draw d = draw(5000 + i);
            long doses = (long) Math.exp(d.random().nextDouble() * Math.log(1_000_000));
            int since = i == 0 ? 0 : d.week(0, WEEKS - 1);
            d.change(rows -> withNew(rows, "Indian Health Service", weeksFrom(since), doses, d.random()));
            cases.add(d.loads("a new jurisdiction from week " + since + ", " + doses + " a week"));
        }
        for (int i = 0; i < 2; i++) {
            Draw d = draw(5500 + i);
            int parity = i;
            List<LocalDate> weeks = weeksFrom(0).stream().filter(w -> (w.toEpochDay() / 7) % 2 == parity).toList();
            d.change(rows -> withNew(rows, "Indian Health Service", weeks, 20_000, d.random()));
            cases.add(d.loads("a new jurisdiction in every other week"));
        }
        for (int i = 0; i < 2; i++) {
            // Alaska has weeks of zeros in the real files, about half its weeks (zero_weeks judges
            // a place with doses in three weeks in four or more: these are not).
            Draw d = draw(5700 + i);
            List<LocalDate> weeks = List.of(FIRST_WEEK.plusWeeks(1 + i), FIRST_WEEK.plusWeeks(4),
                FIRST_WEEK.plusWeeks(5), FIRST_WEEK.plusWeeks(7));
            d.change(rows -> rows.stream().map(r -> r.jurisdiction().equals(d.old()) && weeks.contains(r.week())
                ? new Row(d.old(), r.week(), 0, 0) : r).toList());
            long usual = d.sources().get(d.source()).stream().filter(r -> r.jurisdiction().equals(d.old()))
                .mapToLong(Row::doses).sum() / WEEKS;
            d.change(rows -> withNew(rows, "Indian Health Service", weeks, Math.max(usual, 1), d.random()));
            cases.add(d.loads("a new jurisdiction in weeks where " + d.old() + " has zeros"));
        }
        for (int i = 0; i < 2; i++) {
            // A new name of a state's size in the two oldest weeks, where that state has no row in the
            // first (cut off, as in the lake's files) and zeros in the second: not the week of a change.
            // (And zeros in two more weeks, as Alaska's, for zero_weeks not to judge it.)
            Draw d = draw(5800 + i);
            LocalDate second = FIRST_WEEK.plusWeeks(1);
            List<LocalDate> alsoZero = List.of(FIRST_WEEK.plusWeeks(3), FIRST_WEEK.plusWeeks(5));
            long usual = d.sources().get(d.source()).stream().filter(r -> r.jurisdiction().equals(d.old()))
                .mapToLong(Row::doses).sum() / WEEKS;
            d.change(rows -> rows.stream()
                .filter(r -> !(r.jurisdiction().equals(d.old()) && r.week().equals(FIRST_WEEK)))
                .map(r -> r.jurisdiction().equals(d.old()) && (r.week().equals(second) || alsoZero.contains(r.week()))
                    ? new Row(d.old(), r.week(), 0, 0) : r)
                .toList());
            d.change(rows -> withNew(rows, "Department of Defense", List.of(FIRST_WEEK, second), usual, d.random()));
            cases.add(d.loads("a new jurisdiction in the two oldest weeks, where " + d.old() + " has no row, then "
                + "zeros"));
        }
        for (int i = 0; i < 2; i++) {
            Draw d = draw(6000 + i);
            String territory = pick(TERRITORIES, d.random());
            int since = d.week(0, WEEKS - 1);
            d.change(rows -> renamed(rows, territory, "Territory of " + territory, FIRST_WEEK.plusWeeks(since)));
            cases.add(d.loads(territory + " renamed from week " + since));
        }
        for (int i = 0; i < 2; i++) {
            // The lake's cut: the newest week comes first in the file, so the file stops partway through
            // its oldest week, and the names after the cut have no row in that week.
            Draw d = draw(7000 + i);
            for (String source : SOURCES) {
                List<Row> rows = d.sources().get(source);
                d.sources().put(source, rows.subList(0, rows.size() - 1 - d.random().nextInt(20)));
            }
            d.change(rows -> withNew(rows, "Indian Health Service", weeksFrom(1), 3000, d.random()));
            cases.add(d.loads("both sources cut in their oldest week, a new jurisdiction from the next"));
        }
        return cases.stream();
    }

    // ---- the refresh ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRenamedStateFailsNamingItAndANewJurisdictionLoads(Case generated) {
        if (generated.renames().isEmpty()) {
            served.upstream().serve("/c.csv", population(generated.sources()).getBytes(StandardCharsets.UTF_8));
            serve(generated.sources());
            Response response = served.given().post("/refresh?force=true");
            assertEquals(200, response.statusCode(), response.asString());
            assertDosesAsGenerated(generated.sources());
            return;
        }
        // A good product first, which the failed refresh must leave as it was.
        Map<String, List<Row>> good = complete(new Random(1));
        served.upstream().serve("/c.csv", population(good).getBytes(StandardCharsets.UTF_8));
        serve(good);
        served.given().post("/refresh?force=true").then().statusCode(200);
        String product = served.given().get("/ratios").asString();

        serve(generated.sources());
        Response response = served.given().post("/refresh?force=true");
        String body = response.asString();
        assertEquals(422, response.statusCode(), body);
        JsonPath problem = response.jsonPath();
        assertEquals("/problems/source-content", problem.getString("type"), body);
        assertEquals("jurisdiction", problem.getString("column"), body);
        String detail = problem.getString("detail");
        // The name reported is one of the new names, at its first line in its source.
        Rename named = generated.renames().stream()
            .filter(r -> r.source().equals(problem.getString("source"))
                && detail.contains("the jurisdiction '" + r.newName() + "' is not in"))
            .findFirst().orElse(null);
        assertNotNull(named, "no rename of the case is named: " + body);
        assertEquals(firstLine(generated.sources().get(named.source()), named.newName()), problem.getLong("line"),
            body);
        // Its state is the one it was renamed from: the new names here hold their state's name or
        // code, or stand alone in their weeks.
        assertEquals(named.state(), problem.getString("state"), body);
        assertTrue(detail.contains("is it " + named.oldName() + " under a new name?"), body);
        long doses = generated.sources().get(named.source()).stream()
            .filter(r -> r.jurisdiction().equals(named.newName())).mapToLong(Row::doses).sum();
        assertTrue(detail.contains("Its " + doses + " doses would count for no state"), body);
        int renames = generated.renames().size();
        if (renames > 1) {
            assertTrue(detail.contains("(" + (renames - 1) + " more such name"), "the others are named too: " + body);
        }
        assertEquals(product, served.given().get("/ratios").asString(), "the product changed");
        Map<String, Object> run = served.app().wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
            "select status, error from dwh.refresh_runs order by run_id desc limit 1").mapToMap().one());
        assertEquals("failed", run.get("status"));
        assertEquals(detail, run.get("error"));
    }

    /**
     * One county per state, with 0.8 people per dose of the state's doses in {@code sources}, as
     * doses were allocated by population: the product's states are then alike, as the real ones are.
     */
    private String population(Map<String, List<Row>> sources) {
        Map<String, Long> doses = new HashMap<>();
        sources.values().forEach(rows -> rows.stream().filter(r -> countsFor.containsKey(r.jurisdiction()))
            .forEach(r -> doses.merge(countsFor.get(r.jurisdiction()), r.doses(), Long::sum)));
        StringBuilder counties = new StringBuilder("Id,Id2,County,State,Population Estimate 2018\n");
        int code = 1;
        for (String state : countsFor.values().stream().distinct().toList()) {
            counties.append(String.format(Locale.ROOT, "0500000US%05d,%05d,County %d,%s,%d%n", code, code, code, state,
                Math.max(1000, doses.getOrDefault(state, 0L) * 4 / 5)));
            code++;
        }
        return counties.toString();
    }

    private void serve(Map<String, List<Row>> sources) {
        served.upstream().serve("/m.csv", csv(sources.get("moderna")).getBytes(StandardCharsets.UTF_8));
        served.upstream().serve("/p.csv", csv(sources.get("pfizer")).getBytes(StandardCharsets.UTF_8));
    }

    /** Each state's doses per source, worked out from the rows, against {@code GET /ratios}. */
    private void assertDosesAsGenerated(Map<String, List<Row>> sources) {
        Map<String, Map<String, Long>> expected = new HashMap<>();
        sources.forEach((source, rows) -> rows.stream().filter(r -> countsFor.containsKey(r.jurisdiction()))
            .forEach(r -> expected.computeIfAbsent(countsFor.get(r.jurisdiction()), s -> new HashMap<>())
                .merge(source, r.doses(), Long::sum)));
        List<Map<String, Object>> rows = served.given().get("/ratios").jsonPath().getList("$");
        assertEquals(51, rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Long> doses = expected.get((String) row.get("state"));
            for (String source : SOURCES) {
                assertEquals(doses.getOrDefault(source, 0L), ((Number) row.get("doses_" + source)).longValue(),
                    row.get("state") + " " + source);
            }
        }
    }

    private static long firstLine(List<Row> rows, String name) {
        return 2 + IntStream.range(0, rows.size()).filter(i -> rows.get(i).jurisdiction().equals(name)).findFirst()
            .orElseThrow();
    }

    /** The rows as the CDC's API writes them: every field quoted, weeks as timestamps. */
    private static String csv(List<Row> rows) {
        Function<Row, String> line = r -> String.format(Locale.ROOT, "\"%s\",\"%sT00:00:00.000\",\"%d\",\"%d\"%n",
            r.jurisdiction(), r.week(), r.first(), r.second());
        StringBuilder out = new StringBuilder(
            "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n");
        rows.forEach(r -> out.append(line.apply(r)));
        return out.toString();
    }
}
