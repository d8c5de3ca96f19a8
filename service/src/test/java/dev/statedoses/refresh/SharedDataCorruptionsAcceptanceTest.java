package dev.statedoses.refresh;

import static dev.statedoses.support.SharedData.COUNTIES;
import static dev.statedoses.support.SharedData.MODERNA;
import static dev.statedoses.support.SharedData.PFIZER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.SharedData;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real files in ../shared/data (or SHARED_DATA_DIR), each case with one corruption that once
 * loaded a wrong product without a word, or was refused saying another thing: each must now be a
 * 422 naming the source, line, column and state, and what the file shows, with the product of the
 * real files left exactly as it was. Skipped, saying so, where
 * the folder is absent. Line numbers are the real files' (Texas's Moderna row of 2021-06-21 is
 * line 39; Pima, Arizona line 108; Sacramento line 221; Texas's last county line 2778).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedDataCorruptionsAcceptanceTest {


    private Path data;
    private FixtureServer upstream;
    private RunningApp app;
    private String product;

    @BeforeAll
    void start() {
        data = SharedData.dir();
        if (!Files.isDirectory(data)) {
            return;
        }
        upstream = FixtureServer.start();
        app = RunningApp.start(SharedData.served(upstream, data));
        app.given().post("/refresh").then().statusCode(200);
        product = app.given().get("/ratios").asString();
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** One real file, with {@code edit} applied to its lines (the header is line 1, at index 0). */
    private record Corruption(String file, UnaryOperator<List<String>> edit) {
    }

    private static UnaryOperator<List<String>> replace(int line, String from, String to) {
        return lines -> {
            assertTrue(lines.get(line - 1).contains(from), "line " + line + " holds " + from + ": " + lines.get(line - 1));
            lines.set(line - 1, lines.get(line - 1).replace(from, to));
            return lines;
        };
    }

    private static UnaryOperator<List<String>> without(String text) {
        return lines -> {
            lines.removeIf(l -> l.contains(text));
            return lines;
        };
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
            Arguments.of("Texas's Moderna first doses with a digit too many", List.of(new Corruption(MODERNA,
                    replace(39, "\"300040\",\"300040\"", "\"3000400\",\"300040\""))),
                "moderna", 39L, "_1st_dose_allocations", "Texas", "10.0 times its usual share"),
            Arguments.of("Texas's Moderna second doses with a digit too few", List.of(new Corruption(MODERNA,
                    replace(39, "\"300040\",\"300040\"", "\"300040\",\"30004\""))),
                "moderna", 39L, "_2nd_dose_allocations", "Texas", "1/10.0 of its usual share"),
            Arguments.of("the week of 2021-03-01 deleted from both files", List.of(
                    new Corruption(MODERNA, without("\"2021-03-01T")), new Corruption(PFIZER, without("\"2021-03-01T"))),
                "moderna", null, "week_of_allocations", null, "no allocation source has doses in the week of 2021-03-01"),
            Arguments.of("Pfizer's first week deleted", List.of(new Corruption(PFIZER, without("\"2020-12-14T"))),
                "pfizer", null, "week_of_allocations", null,
                "the pfizer source has no doses (no row, or rows of 0 only) in the week of 2020-12-14"),
            // Refused before too, but as lines lost with doses: Alaska's 14 weeks of 0 are the
            // weeks it lacks. The Pfizer file's rows of 0 doses: 168.
            Arguments.of("Moderna's rows of 0 left out", List.of(new Corruption(MODERNA,
                    without("\"0\",\"0\""))),
                "moderna", null, "week_of_allocations", "Alaska", "Alaska has no row in 14 of the 27 weeks of the "
                    + "moderna source (2020-12-21 to 2021-06-21): 2020-12-28, 2021-01-11, 2021-01-18, 2021-01-25, "
                    + "2021-02-08, 2021-02-15, 2021-02-22, 2021-03-08, 2021-03-15, 2021-03-22 and 4 more: Alaska would "
                    + "be published short of its doses in those weeks. Were lines of the file lost? The moderna source "
                    + "has no row of 0 doses, where the pfizer source has 168: if the file leaves its rows of 0 out, "
                    + "those weeks held none, but the service cannot tell that from lines lost with doses in them; "
                    + "serve the file with its rows of 0."),
            Arguments.of("Pima's Id2 and population exchanged", List.of(new Corruption(COUNTIES,
                    replace(108, "04019,Pima,Arizona,1039073", "1039073,Pima,Arizona,04019"))),
                "population", 108L, "Id2", "Arizona", "has the Id2 1039073, not the county code of its Id"),
            Arguments.of("Sacramento's metro area among the counties", List.of(new Corruption(COUNTIES, lines -> {
                    lines.add(221, "310M300US40900,40900,\"Sacramento-Roseville-Folsom, CA Metro Area\",California,2345210");
                    return lines;
                })),
                "population", 222L, "Id", "California", "which do not read as a county's code"),
            Arguments.of("Pima moved to Texas under a damaged Id", List.of(new Corruption(COUNTIES,
                    replace(108, "0500000US04019,04019,Pima,Arizona", "0500000us04019,04019,Pima,Texas"))),
                "population", 108L, "Id", "Texas", "which do not read as a county's code"),
            Arguments.of("the county file cut at a line end inside Wyoming", List.of(new Corruption(COUNTIES,
                    lines -> new ArrayList<>(lines.subList(0, 3138)))),
                "population", 3138L, "State", "Wyoming", "0.83 times its 2020 census count"),
            Arguments.of("Montgomery, Texas with a digit too many", List.of(new Corruption(COUNTIES,
                    lines -> {
                        int at = lines.indexOf("0500000US48339,48339,Montgomery,Texas,590925");
                        assertTrue(at > 0, "Montgomery, Texas is in the real file");
                        lines.set(at, "0500000US48339,48339,Montgomery,Texas,5909250");
                        return lines;
                    })),
                "population", 2778L, "State", "Texas", "1.17 times its 2020 census count"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void aCorruptionOnceLoadedSilentlyIsRefused(String name, List<Corruption> corruptions, String source, Long line,
                                                 String column, String state, String detail) throws IOException {
        SharedData.assumePresent("SharedDataCorruptionsAcceptanceTest " + name);
        try {
            for (Corruption c : corruptions) {
                List<String> lines = c.edit().apply(new ArrayList<>(Files.readAllLines(data.resolve(c.file()))));
                upstream.serve(path(c.file()), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Response response = app.given().post("/refresh");
            String body = response.asString();
            assertEquals(422, response.statusCode(), body);
            JsonPath problem = response.jsonPath();
            assertEquals(source, problem.getString("source"), body);
            assertEquals(line, problem.get("line") == null ? null : problem.getLong("line"), body);
            assertEquals(column, problem.getString("column"), body);
            assertEquals(state, problem.getString("state"), body);
            assertTrue(problem.getString("detail").contains(detail), body);
            assertEquals(product, app.given().get("/ratios").asString(), "the product changed");
        } finally {
            upstream.serveFile("/m.csv", data.resolve(MODERNA));
            upstream.serveFile("/p.csv", data.resolve(PFIZER));
            upstream.serveFile("/c.csv", data.resolve(COUNTIES));
        }
    }

    private static String path(String file) {
        return switch (file) {
            case MODERNA -> "/m.csv";
            case PFIZER -> "/p.csv";
            default -> "/c.csv";
        };
    }
}
