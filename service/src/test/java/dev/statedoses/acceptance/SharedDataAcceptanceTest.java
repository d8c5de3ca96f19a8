package dev.statedoses.acceptance;

import static dev.statedoses.support.ExactNumbers.DECIMALS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.SharedData;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real sources (../shared/data, outside the repository: never copied into it) served over
 * HTTP to the real app: all 51 rows must equal the reference computation shipped beside them,
 * with the cities folded into their states. Skipped, saying so, where that folder is absent.
 */
class SharedDataAcceptanceTest {

    private static final Set<String> STATES_WITH_A_CITY = Set.of("New York", "Illinois", "Pennsylvania");
    private record Reference(String state, long population, long dosesModerna, long dosesPfizer,
                             long dosesTotal, BigDecimal citiesFolded) {
    }

    private static Map<String, Reference> reference(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals("state,population,doses_moderna,doses_pfizer,doses_total,people_per_dose_raw,"
            + "people_per_dose_cities_folded", lines.get(0), "the reference file's columns changed");
        return lines.stream().skip(1).map(line -> line.split(","))
            .map(f -> new Reference(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), new BigDecimal(f[6])))
            .collect(Collectors.toMap(Reference::state, Function.identity()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "complete weekly series,          .,                       reference_ratios.csv,                      1701, 1764",
        "lake files cut at 1000 rows,     lake_verbatim_1000rows,  reference_ratios_lake_verbatim_1000rows.csv, 1000, 1000",
    })
    void everyStateEqualsTheReference(String variant, String vaccineDir, String referenceFile,
                                      long modernaRows, long pfizerRows) throws IOException {
        Path data = SharedData.dir();
        SharedData.assumePresent("SharedDataAcceptanceTest " + variant);
        Map<String, Reference> expected = reference(data.resolve(referenceFile));
        assertEquals(51, expected.size());

        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(ConfigBuilder.from(TestWarehouse.newDatabase()).sources(
                 upstream.serveFile("/moderna.csv",
                     data.resolve(vaccineDir).resolve(SharedData.MODERNA)),
                 upstream.serveFile("/pfizer.csv",
                     data.resolve(vaccineDir).resolve(SharedData.PFIZER)),
                 upstream.serveFile("/County_Population.csv", data.resolve(SharedData.COUNTIES))).build())) {

            JsonPath report = app.given().post("/refresh").then().statusCode(200).extract().jsonPath();
            assertEquals(List.of(modernaRows, pfizerRows, 3220L),
                report.getList("sources.rows", Long.class), variant + ": rows loaded");
            assertEquals(51, report.getInt("state_rows"));
            assertEquals(report.getLong("doses_in_sources"),
                report.getLong("doses_in_state_rows") + report.getLong("doses_excluded"), "every dose accounted for");

            List<Map<String, Object>> rows = app.given().config(DECIMALS).get("/ratios").then().statusCode(200)
                .extract().jsonPath().getList("$");
            assertEquals(51, rows.size());
            long stateDoses = 0;
            for (Map<String, Object> row : rows) {
                String state = (String) row.get("state");
                Reference ref = expected.get(state);
                assertTrue(ref != null, variant + ": unexpected state " + state);
                long population = ((Number) row.get("population")).longValue();
                long total = ((Number) row.get("doses_total")).longValue();
                assertEquals(ref.population(), population, state + " population");
                if (STATES_WITH_A_CITY.contains(state)) {
                    assertTrue(total > ref.dosesTotal(), state + ": the city's doses are folded in");
                } else {
                    assertEquals(ref.dosesModerna(), ((Number) row.get("doses_moderna")).longValue(), state + " moderna");
                    assertEquals(ref.dosesPfizer(), ((Number) row.get("doses_pfizer")).longValue(), state + " pfizer");
                    assertEquals(ref.dosesTotal(), total, state + " doses");
                }
                BigDecimal exact = BigDecimal.valueOf(population).divide(BigDecimal.valueOf(total), 12, RoundingMode.HALF_UP);
                assertEquals(0, ref.citiesFolded().compareTo(exact.setScale(6, RoundingMode.HALF_UP)),
                    state + ": people per dose, cities folded, to the reference's 6 decimals: expected "
                        + ref.citiesFolded() + ", computed " + exact);
                assertEquals(0, exact.setScale(4, RoundingMode.HALF_UP).compareTo((BigDecimal) row.get("people_per_dose")),
                    state + ": people_per_dose is the ratio to 4 decimals");
                stateDoses += total;
            }
            assertEquals(report.getLong("doses_in_state_rows"), stateDoses);
        }
    }
}
