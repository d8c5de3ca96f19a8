package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.Fixtures;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * County lines under another State than their code's (sql/checks/sources/counties_under_another_state.sql):
 * two states' names exchanged, one county moved, a code of no state, in a county file coded as
 * the Census codes it. The fixture county file, recoded with each State's real FIPS code (this
 * test's own table, not the warehouse's), must load with the fixture's numbers; every generated
 * variant must fail naming the first line the test itself finds at fault, and leave the product
 * as it was. A file whose codes are not the Census's (more than a quarter of its lines disagree
 * with their State, as in the hand-numbered fixture) is not judged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CountiesUnderAnotherStateTest {

    /** The Census's two-digit state codes (FIPS), for the States of the fixture county file. */
    private static final Map<String, String> FIPS = fips();
    /** The fixture county file with every line's code made its State's: header, then the lines. */
    private static final List<String> CODED = recoded(text("county_population.csv"));

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final CountyFileVariants files = new CountyFileVariants(served, CODED);

    @BeforeAll
    void start() {
        files.load();
    }

    @Test
    void theFixtureCodedAsTheCensusCodesItLoadsWithItsNumbers() {
        // fixtures/README.md: New York 5000 + 1000, Vermont 1234, Illinois 3000, Alaska 900.
        served.given().get("/ratios/NY").then().statusCode(200).body("population", org.hamcrest.Matchers.equalTo(6000));
        served.given().get("/ratios/VT").then().statusCode(200).body("population", org.hamcrest.Matchers.equalTo(1234));
        served.given().get("/ratios/IL").then().statusCode(200).body("population", org.hamcrest.Matchers.equalTo(3000));
        served.given().get("/ratios/AK").then().statusCode(200).body("population", org.hamcrest.Matchers.equalTo(900));
        assertEquals(51, JsonPath.from(files.product()).getList("state").size());
    }

    static Stream<Variant> variants() {
        List<Variant> variants = new ArrayList<>();
        Random random = new Random(20261130);
        List<String> states = FIPS.keySet().stream().filter(s -> !s.equals("Puerto Rico")).toList();
        for (int i = 0; i < 12; i++) {
            String a = states.get(random.nextInt(states.size()));
            String b = states.get(random.nextInt(states.size()));
            if (a.equals(b)) {
                continue;
            }
            List<String> lines = new ArrayList<>(CODED);
            for (int l = 1; l < lines.size(); l++) {
                String state = field(lines.get(l), 3);
                if (state.equals(a) || state.equals(b)) {
                    lines.set(l, withField(lines.get(l), 3, state.equals(a) ? b : a));
                }
            }
            variants.add(expected(a + " and " + b + " exchanged", lines));
        }
        for (int i = 0; i < 12; i++) {
            List<String> lines = new ArrayList<>(CODED);
            int l = 1 + random.nextInt(lines.size() - 1);
            String from = field(lines.get(l), 3);
            String to = states.get(random.nextInt(states.size()));
            if (to.equals(from) || from.equals("Puerto Rico") || countiesOf(lines, from) == 1) {
                continue; // a state left with no county fails otherwise, as it should
            }
            lines.set(l, withField(lines.get(l), 3, to));
            variants.add(expected("line " + (l + 1) + " moved from " + from + " to " + to, lines));
        }
        // A code no state has, under the Id alone or the Id2 alone.
        for (String unused : List.of("03", "07", "14", "43", "52", "99")) {
            List<String> lines = new ArrayList<>(CODED);
            int l = 1 + random.nextInt(lines.size() - 1);
            lines.set(l, withCode(lines.get(l), unused + field(lines.get(l), 1).substring(2)));
            if (unused.equals("43")) {
                lines.set(l, withField(lines.get(l), 1, ""));
            } else if (unused.equals("52")) {
                lines.set(l, withField(lines.get(l), 0, ""));
            }
            variants.add(expected("a code of no state (" + unused + ") on line " + (l + 1), lines));
        }
        // How many lines may disagree before the file's codes are taken for its own: a quarter.
        int judged = CODED.size() - 1;
        for (int wrong : new int[] {judged / 4, judged / 4 + 1, judged / 2}) {
            List<String> lines = new ArrayList<>(CODED);
            List<Integer> order = new ArrayList<>();
            for (int l = 1; l < lines.size(); l++) {
                order.add(l);
            }
            java.util.Collections.shuffle(order, random);
            for (int l : order.subList(0, wrong)) {
                String own = FIPS.get(field(lines.get(l), 3));
                String other = states.stream().map(FIPS::get).filter(f -> !f.equals(own)).toList()
                    .get(random.nextInt(states.size() - 1));
                // A county part of no other line: one code under two names is another check's.
                lines.set(l, withCode(lines.get(l), other + (900 + l)));
            }
            variants.add(wrong * 4 <= judged ? expected(wrong + " of " + judged + " lines recoded", lines)
                : new Variant(wrong + " of " + judged + " lines recoded (codes of the file's own)", lines, null, null));
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aCountyUnderAnotherStateIsNamedByItsLine(Variant variant) {
        files.assertRefresh(variant, "State");
    }

    @Test
    void aFileWithoutCensusCodesIsNotJudged() {
        // The fixture as written: its codes are numbered in its own order (Vermont 46, Texas 44).
        files.assertRefresh(new Variant("the fixture's own codes", text("county_population.csv").lines().toList(),
            null, null), "State");
    }

    /** The variant's first line whose code is not its State's, as the message must name it. */
    private static Variant expected(String name, List<String> lines) {
        long disagreeing = 0;
        Long first = null;
        String detail = null;
        for (int l = 1; l < lines.size(); l++) {
            String line = lines.get(l);
            String state = field(line, 3);
            String code = field(line, 1).isEmpty() ? field(line, 0).substring(9) : field(line, 1);
            if (code.startsWith(FIPS.get(state))) {
                continue;
            }
            disagreeing++;
            if (first == null) {
                first = (long) l + 1;
                String codeState = FIPS.entrySet().stream().filter(e -> e.getValue().equals(code.substring(0, 2)))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
                detail = field(line, 2) + ", " + state + " has the county code " + code + ", "
                    + (codeState == null ? "which is no state's, DC's or territory's (none has the code "
                        + code.substring(0, 2) + ")" : "which is " + codeState + "'s (" + code.substring(0, 2) + ")")
                    + ", not " + state + "'s (" + FIPS.get(state) + ")" + (codeState == null ? "" : ": ");
            }
        }
        assertTrue(first != null && disagreeing * 4 <= lines.size() - 1, name + ": not a variant to reject");
        return new Variant(name + " (" + disagreeing + " lines)", lines, first, detail);
    }

    private static long countiesOf(List<String> lines, String state) {
        return lines.stream().skip(1).filter(l -> field(l, 3).equals(state)).count();
    }

    /** The fixture's lines, each with its State's code (the county part kept). */
    private static List<String> recoded(String csv) {
        List<String> lines = new ArrayList<>(csv.lines().toList());
        for (int l = 1; l < lines.size(); l++) {
            String line = lines.get(l);
            lines.set(l, withCode(line, FIPS.get(field(line, 3)) + field(line, 1).substring(2)));
        }
        return lines;
    }

    /** The line with its Id and Id2 both made {@code code}. */
    private static String withCode(String line, String code) {
        return withField(withField(line, 0, "0500000US" + code), 1, code);
    }

    // The county file's fields hold no commas or quotes (fixtures/county_population.csv).
    private static String field(String line, int index) {
        return line.split(",", -1)[index];
    }

    private static String withField(String line, int index, String value) {
        String[] fields = line.split(",", -1);
        fields[index] = value;
        return String.join(",", fields);
    }

    private static String text(String fixture) {
        return new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8);
    }

    private static Map<String, String> fips() {
        Map<String, String> codes = new LinkedHashMap<>();
        String[] pairs = {"Alabama 01", "Alaska 02", "Arizona 04", "Arkansas 05", "California 06", "Colorado 08",
            "Connecticut 09", "Delaware 10", "District of Columbia 11", "Florida 12", "Georgia 13", "Hawaii 15",
            "Idaho 16", "Illinois 17", "Indiana 18", "Iowa 19", "Kansas 20", "Kentucky 21", "Louisiana 22",
            "Maine 23", "Maryland 24", "Massachusetts 25", "Michigan 26", "Minnesota 27", "Mississippi 28",
            "Missouri 29", "Montana 30", "Nebraska 31", "Nevada 32", "New Hampshire 33", "New Jersey 34",
            "New Mexico 35", "New York 36", "North Carolina 37", "North Dakota 38", "Ohio 39", "Oklahoma 40",
            "Oregon 41", "Pennsylvania 42", "Rhode Island 44", "South Carolina 45", "South Dakota 46",
            "Tennessee 47", "Texas 48", "Utah 49", "Vermont 50", "Virginia 51", "Washington 53",
            "West Virginia 54", "Wisconsin 55", "Wyoming 56", "Puerto Rico 72"};
        for (String pair : pairs) {
            int space = pair.lastIndexOf(' ');
            codes.put(pair.substring(0, space), pair.substring(space + 1));
        }
        assertFalse(codes.isEmpty());
        return codes;
    }
}
