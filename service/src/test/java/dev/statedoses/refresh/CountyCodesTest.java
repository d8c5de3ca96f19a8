package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.CountyFileVariants;
import dev.statedoses.support.CountyFileVariants.Variant;
import dev.statedoses.support.Fixtures;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A county line whose Id2 is not its Id's county code (sql/checks/sources/counties_with_two_codes.sql):
 * its values were exchanged or damaged. The fixture county file's two ids agree on every line, as
 * the real file's do. Each generated variant must fail naming the first line the test itself finds
 * at fault, in column Id2, and leave the product as it was; a variant whose ids still agree, or
 * whose Id2 is the file's own numbering on more than a quarter of its lines, must load with the
 * fixture's numbers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CountyCodesTest {

    private static final List<String> COUNTIES = text("county_population.csv").lines().toList();

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream();

    private final CountyFileVariants files = new CountyFileVariants(served, COUNTIES);

    @BeforeAll
    void start() {
        files.load();
    }

    static Stream<Variant> variants() {
        List<Variant> variants = new ArrayList<>();
        Random random = new Random(20261130);
        int judged = COUNTIES.size() - 1;
        for (int i = 0; i < 6; i++) {
            // The Id2 and the population exchanged: the population keeps its leading zero's value.
            List<String> lines = new ArrayList<>(COUNTIES);
            int l = 1 + random.nextInt(judged);
            String[] f = lines.get(l).split(",", -1);
            lines.set(l, String.join(",", f[0], f[4], f[2], f[3], f[1]));
            variants.add(expected("Id2 and population exchanged on line " + (l + 1), lines));
        }
        for (int i = 0; i < 3; i++) {
            // The same for a county of a million or more, as Pima's 1,039,073 (its Id2 of seven
            // digits was not judged, and Arizona lost a million people without a word).
            List<String> lines = new ArrayList<>(COUNTIES);
            int l = 1 + random.nextInt(judged);
            String[] f = lines.get(l).split(",", -1);
            lines.set(l, String.join(",", f[0], Integer.toString(1_000_000 + random.nextInt(9_000_000)), f[2], f[3], f[1]));
            variants.add(expected("Id2 and a population of millions exchanged on line " + (l + 1), lines));
        }
        for (int i = 0; i < 6; i++) {
            // One digit of the Id2 damaged.
            List<String> lines = new ArrayList<>(COUNTIES);
            int l = 1 + random.nextInt(judged);
            String[] f = lines.get(l).split(",", -1);
            int d = random.nextInt(5);
            char other = (char) ('0' + (f[1].charAt(d) - '0' + 1 + random.nextInt(9)) % 10);
            f[1] = f[1].substring(0, d) + other + f[1].substring(d + 1);
            lines.set(l, String.join(",", f));
            variants.add(expected("digit " + (d + 1) + " of line " + (l + 1) + "'s Id2 damaged", lines));
        }
        for (int i = 0; i < 4; i++) {
            // Two lines' Id2 exchanged: both disagree, the first is named.
            List<String> lines = new ArrayList<>(COUNTIES);
            int a = 1 + random.nextInt(judged);
            int b = 1 + random.nextInt(judged);
            if (a == b) {
                continue;
            }
            String[] fa = lines.get(a).split(",", -1);
            String[] fb = lines.get(b).split(",", -1);
            String id2 = fa[1];
            fa[1] = fb[1];
            fb[1] = id2;
            lines.set(a, String.join(",", fa));
            lines.set(b, String.join(",", fb));
            variants.add(expected("lines " + (a + 1) + " and " + (b + 1) + " exchanged their Id2", lines));
        }
        // The Id2 without its leading zero, as a spreadsheet writes it: the same code.
        List<String> unpadded = new ArrayList<>(COUNTIES);
        for (int l = 1; l < unpadded.size(); l++) {
            String[] f = unpadded.get(l).split(",", -1);
            f[1] = f[1].replaceFirst("^0", "");
            unpadded.set(l, String.join(",", f));
        }
        variants.add(new Variant("every Id2 without its leading zero", unpadded, null, null));
        // How many lines may disagree before the Id2 is taken for the file's own numbering: a quarter.
        for (int wrong : new int[] {judged / 4, judged / 4 + 1, judged}) {
            List<String> lines = new ArrayList<>(COUNTIES);
            List<Integer> order = new ArrayList<>();
            for (int l = 1; l < lines.size(); l++) {
                order.add(l);
            }
            java.util.Collections.shuffle(order, random);
            for (int l : order.subList(0, wrong)) {
                String[] f = lines.get(l).split(",", -1);
                f[1] = Integer.toString(90000 + l);
                lines.set(l, String.join(",", f));
            }
            variants.add(wrong * 4 <= judged ? expected(wrong + " of " + judged + " Id2 renumbered", lines)
                : new Variant(wrong + " of " + judged + " Id2 renumbered (a numbering of the file's own)", lines,
                    null, null));
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aLineWhoseIdsDisagreeIsNamed(Variant variant) {
        files.assertRefresh(variant, "Id2");
    }

    /**
     * The real county file (../shared/data, skipped where absent) with one line's Id2 and
     * population exchanged: Gila, Arizona loaded as 4,007 people before this check.
     */
    @Test
    void theRealFileWithALinesIdAndPopulationExchangedFails() throws IOException {
        Path file = Path.of("..", "..", "shared", "data", "County_Population.csv").toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            String why = "skipped: the real county file is not at " + file;
            System.err.println("CountyCodesTest: " + why);
            assumeTrue(false, why);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        int gila = -1;
        for (int l = 1; l < lines.size(); l++) {
            if (lines.get(l).startsWith("0500000US04007,")) {
                gila = l;
            }
        }
        assertTrue(gila > 0, "Gila County, Arizona is in the real file");
        String[] f = lines.get(gila).split(",", -1);
        lines.set(gila, String.join(",", f[0], f[4], f[2], f[3], f[1]));
        JsonPath problem = files.assertRefresh(new Variant("Gila's Id2 and population exchanged", lines,
            (long) gila + 1, "Gila, Arizona has the Id2 " + f[4] + ", not the county code of its Id 0500000US04007 "
                + "(04007): were two of its values exchanged, or is the line damaged?"), "Id2");
        assertEquals("Arizona", problem.getString("state"));
    }

    /** The variant's first line whose Id2 is not its Id's code, as the message must name it. */
    private static Variant expected(String name, List<String> lines) {
        long disagreeing = 0;
        Long first = null;
        String detail = null;
        for (int l = 1; l < lines.size(); l++) {
            String[] f = lines.get(l).split(",", -1);
            String code = f[0].substring(9);
            String id2 = "0".repeat(Math.max(0, 5 - f[1].length())) + f[1];
            if (code.equals(id2)) {
                continue;
            }
            disagreeing++;
            if (first == null) {
                first = (long) l + 1;
                detail = f[2] + ", " + f[3] + " has the Id2 " + f[1] + ", not the county code of its Id " + f[0]
                    + " (" + code + "): were two of its values exchanged, or is the line damaged?";
            }
        }
        assertTrue(first != null && disagreeing * 4 <= lines.size() - 1, name + ": not a variant to reject");
        String more = disagreeing == 1 ? "" : ". " + disagreeing + " lines of the file have an Id2 other than their Id's code";
        return new Variant(name + " (" + disagreeing + " lines)", lines, first, detail + more);
    }

    private static String text(String fixture) {
        return new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8);
    }
}
