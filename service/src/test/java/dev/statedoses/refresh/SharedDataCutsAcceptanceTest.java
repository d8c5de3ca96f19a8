package dev.statedoses.refresh;

import static dev.statedoses.support.SharedData.MODERNA;
import static dev.statedoses.support.SharedData.PFIZER;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real files in ../shared/data (or SHARED_DATA_DIR), both allocation files cut after the same
 * number of rows, as the lake cut its copies after 1000: each cut loads, whatever the row it falls
 * on, and New York's doses are those of the rows kept. Before, 105 of 189 cuts (every ninth row)
 * failed: a week cut after a few rows looked like a week at another scale, the states before the
 * cut like states over their census share, Alaska's months of doses like values lost, and Pfizer's
 * file cut inside the week after its first like its first week lost. One row is left out: the
 * boundary before Moderna's first week (1,638 rows: the Moderna file then starts the week after
 * its maker's first, which is that week lost). And the files as they stood at earlier dates, their
 * weeks up to one. Skipped, saying so, where the folder is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedDataCutsAcceptanceTest {

    /** Rows (under the header) of the complete Moderna file, the shorter. */
    private static final int MODERNA_ROWS = 1701;

    private Path data;
    private FixtureServer upstream;
    private RunningApp app;

    @BeforeAll
    void start() {
        data = SharedData.dir();
        if (!Files.isDirectory(data)) {
            return;
        }
        upstream = FixtureServer.start();
        app = RunningApp.start(SharedData.served(upstream, data));
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

    /**
     * The rows the cut falls after: one of each class that failed before (64: two weeks, the
     * second of one row; 127: a week of one row; 640: Alaska's ten newest weeks, two of them 0 in
     * both files; 1640: Pfizer's file inside the week after its first), and twelve drawn at random
     * from the second week to the last row of the Moderna file.
     */
    static Stream<Integer> cuts() {
        Random random = new Random(20261130);
        Set<Integer> cuts = new TreeSet<>(List.of(64, 127, 640, 1640));
        while (cuts.size() < 16) {
            int cut = 64 + random.nextInt(MODERNA_ROWS - 64);
            if (cut != 1638) {
                cuts.add(cut);
            }
        }
        return cuts.stream();
    }

    @ParameterizedTest(name = "cut after {0} rows")
    @MethodSource("cuts")
    void bothFilesCutAfterTheSameRowsLoad(int rows) throws IOException {
        SharedData.assumePresent("SharedDataCutsAcceptanceTest cut after " + rows + " rows");
        loads(cut(MODERNA, rows), cut(PFIZER, rows));
    }

    /** Refreshes with these two allocation files, which must load, New York's doses those of their rows. */
    private void loads(List<String> moderna, List<String> pfizer) {
        upstream.serve("/m.csv", (String.join("\n", moderna) + "\n").getBytes(StandardCharsets.UTF_8));
        upstream.serve("/p.csv", (String.join("\n", pfizer) + "\n").getBytes(StandardCharsets.UTF_8));
        Response response = app.given().post("/refresh");
        String body = response.asString();
        assertEquals(200, response.statusCode(), body);
        assertEquals("succeeded", response.jsonPath().getString("status"), body);
        JsonPath newYork = app.given().get("/ratios/NY").then().statusCode(200).extract().jsonPath();
        assertEquals(newYorksDoses(moderna), newYork.getLong("doses_moderna"), "New York's Moderna doses");
        assertEquals(newYorksDoses(pfizer), newYork.getLong("doses_pfizer"), "New York's Pfizer doses");
    }

    /**
     * The real files as they stood at an earlier date: their weeks up to that one. Before, those of
     * 2 to 17 weeks failed: Alaska's doses came some months in one week, up to 3.3 times its share
     * over so few weeks, and its weeks of 0 fell in different weeks in the two files at first.
     */
    @ParameterizedTest(name = "as published at {0}")
    @MethodSource("earlierDates")
    void theFilesAsPublishedAtAnEarlierDateLoad(String lastWeek) throws IOException {
        SharedData.assumePresent("SharedDataCutsAcceptanceTest as published at " + lastWeek);
        loads(upTo(MODERNA, lastWeek), upTo(PFIZER, lastWeek));
    }

    /** The last weeks of the files as published at earlier dates: 2 to 21 weeks of Pfizer's. */
    static Stream<String> earlierDates() {
        return Stream.of("2020-12-21", "2020-12-28", "2021-01-04", "2021-01-25", "2021-02-01", "2021-03-01",
            "2021-03-29", "2021-04-05", "2021-05-03");
    }

    /** The header and the rows of a real file up to the week of {@code lastWeek}. */
    private List<String> upTo(String file, String lastWeek) throws IOException {
        List<String> lines = Files.readAllLines(data.resolve(file));
        List<String> kept = new ArrayList<>(List.of(lines.get(0)));
        lines.stream().skip(1)
            .filter(line -> line.split("\",\"")[1].substring(0, 10).compareTo(lastWeek) <= 0)
            .forEach(kept::add);
        return kept;
    }

    /** The header and the first {@code rows} rows of a real file. */
    private List<String> cut(String file, int rows) throws IOException {
        return Files.readAllLines(data.resolve(file)).subList(0, rows + 1);
    }

    /** New York's doses and New York City's (counted in New York) in the rows of a file, both doses. */
    private static long newYorksDoses(List<String> lines) {
        return lines.stream().skip(1)
            .filter(line -> line.startsWith("\"New York\",") || line.startsWith("\"New York City\","))
            .mapToLong(line -> {
                String[] cells = line.substring(1, line.length() - 1).split("\",\"");
                return IntStream.of(2, 3).mapToLong(i -> Long.parseLong(cells[i])).sum();
            })
            .sum();
    }
}
