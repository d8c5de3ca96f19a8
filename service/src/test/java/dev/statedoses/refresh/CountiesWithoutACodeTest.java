package dev.statedoses.refresh;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A county line whose ids do not read as a county's code, in a file whose lines do
 * (sql/checks/sources/counties_without_a_code.sql): another Census geography (a metropolitan
 * area, a city), or a county line damaged. Each loaded without a word before: Sacramento's metro
 * area put California at 0.92 people per dose for 0.87, Chicago among Illinois's counties 1.03
 * for 0.85, Pima moved to Texas under a damaged Id passed the check of its code. The fixture's 53
 * lines read as counties (0500000US and five digits, the Id2 the same). Each variant must fail
 * naming the line the test puts it on, in column Id (Id2 when the line has an Id2 alone), with the
 * product as it was; a file where more than a quarter of the lines read no code is not judged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CountiesWithoutACodeTest {

    private static final List<String> COUNTIES =
        new String(Fixtures.bytes("county_population.csv"), StandardCharsets.UTF_8).lines().toList();
    private static final int LINES = COUNTIES.size() - 1;

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final CountyFileVariants files = new CountyFileVariants(served, COUNTIES);

    @BeforeAll
    void start() {
        files.load();
    }

    /** Lines that are not counties, inserted: Id, Id2, County, State, population. */
    private static final List<String[]> OTHER_GEOGRAPHIES = List.of(
        new String[] {"310M300US40900", "40900", "\"Sacramento-Roseville-Folsom, CA Metro Area\"", "California",
            "2345210"},
        new String[] {"310M400US21700", "21700", "Eureka-Arcata Micro Area", "California", "135558"},
        new String[] {"330M300US472", "472", "Sacramento-Roseville CSA", "California", "2639124"},
        new String[] {"31000US40900", "40900", "Sacramento metro", "California", "2345210"},
        new String[] {"16000US0664000", "0664000", "Sacramento city", "California", "508529"},
        new String[] {"", "1714000", "Chicago city", "Illinois", "2705994"},
        new String[] {"", "", "Chicago", "Illinois", "2705994"},
        new String[] {"0500000US", "", "Chicago", "Illinois", "2705994"});

    /** Ways to damage a county line's Id so that its code cannot be read. */
    private static final List<UnaryOperator<String>> DAMAGED_IDS = List.of(
        id -> id.replace("US", "us"),
        id -> id.substring(0, 9) + id.substring(10),
        id -> id + "0",
        id -> id.replace("0500000", "050000"),
        id -> id.substring(0, 13) + "O",
        id -> id.replace("US", "UK"));

    static Stream<Variant> variants() {
        List<Variant> variants = new ArrayList<>();
        Random random = new Random(20261201);
        for (String[] other : OTHER_GEOGRAPHIES) {
            List<String> lines = new ArrayList<>(COUNTIES);
            int at = 1 + random.nextInt(LINES);
            lines.add(at, String.join(",", other));
            variants.add(expected(other[2] + " inserted at line " + (at + 1), lines, at, other));
        }
        for (int i = 0; i < 12; i++) {
            // A county line's Id damaged, and (every other time) its State changed: the code that
            // would have said so cannot be read.
            List<String> lines = new ArrayList<>(COUNTIES);
            int at = 1 + random.nextInt(LINES);
            String[] f = lines.get(at).split(",", -1);
            f[0] = DAMAGED_IDS.get(i % DAMAGED_IDS.size()).apply(f[0]);
            if (i % 2 == 1) {
                f[3] = "Texas".equals(f[3]) ? "Ohio" : "Texas";
            }
            lines.set(at, String.join(",", f));
            variants.add(expected("line " + (at + 1) + "'s Id damaged to '" + f[0] + "'", lines, at, f));
        }
        // The Id and Id2 of a quarter of the lines removed: judged, the first named; of one line
        // more: a file of another kind, not judged (the numbers stay the fixture's).
        for (int removed : new int[] {LINES / 4, LINES / 4 + 1}) {
            List<String> lines = new ArrayList<>(COUNTIES);
            List<Integer> order = new ArrayList<>();
            for (int l = 1; l <= LINES; l++) {
                order.add(l);
            }
            java.util.Collections.shuffle(order, random);
            List<Integer> chosen = order.subList(0, removed);
            for (int l : chosen) {
                String[] f = lines.get(l).split(",", -1);
                f[0] = "";
                f[1] = "";
                lines.set(l, String.join(",", f));
            }
            int first = chosen.stream().mapToInt(Integer::intValue).min().orElseThrow();
            String[] f = lines.get(first).split(",", -1);
            variants.add(removed * 4 <= LINES
                ? new Variant("the ids of " + removed + " of " + LINES + " lines removed", lines, (long) first + 1,
                    detail(f) + ". " + removed + " lines of the file have no county code")
                : new Variant("the ids of " + removed + " of " + LINES + " lines removed (not judged)", lines, null,
                    null));
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aLineThatIsNoCountyIsNamed(Variant variant) {
        String column = variant.detail() != null && variant.detail().contains("and no Id,") ? "Id2" : "Id";
        files.assertRefresh(variant, column);
    }

    /** A variant whose one line without a county code is {@code at} (0-based, the header 0), holding {@code f}. */
    private static Variant expected(String name, List<String> lines, int at, String[] f) {
        return new Variant(name, lines, (long) at + 1, detail(f));
    }

    /** The detail the check gives of a line of these fields. */
    private static String detail(String[] f) {
        String county = f[2].replace("\"", "");
        String ids = !f[0].isEmpty() && !f[1].isEmpty() ? "the Id " + f[0] + " and the Id2 " + f[1]
            : !f[0].isEmpty() ? "the Id " + f[0] + " and no Id2"
            : !f[1].isEmpty() ? "the Id2 " + f[1] + " and no Id"
            : "neither an Id nor an Id2";
        return county + ", " + f[3] + " has " + ids + ", which do not read as a county's code (an Id 0500000US "
            + "and five digits, or without an Id an Id2 of four or five digits), as the file's other lines do: "
            + "another geography (a metropolitan area, a city), or a damaged line? Its " + f[4]
            + " people would be counted as a county's";
    }
}
