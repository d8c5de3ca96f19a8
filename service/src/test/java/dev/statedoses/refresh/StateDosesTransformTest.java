package dev.statedoses.refresh;

import static dev.statedoses.support.RawRows.allocate;
import static dev.statedoses.support.RawRows.county;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statedoses.support.MigratedDatabase;
import dev.statedoses.support.RawRows;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transform (sql/build_*.sql) on its own, in a real PostgreSQL: raw rows in, product
 * rows and exclusions out. This is where the jurisdiction rules and the ratio live.
 */
class StateDosesTransformTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    @BeforeEach
    void emptyRawTables() {
        database.jdbi().useHandle(RawRows::truncate);
    }

    /** Runs the transform as a refresh does: inside a transaction, with a run id. */
    private Map<String, Map<String, Object>> build() throws java.sql.SQLException {
        return database.jdbi().<Map<String, Map<String, Object>>, java.sql.SQLException>inTransaction(h -> {
            long run = RawRows.transform(h, RawRows.BUILD);
            Map<String, Map<String, Object>> rows = new java.util.TreeMap<>();
            h.createQuery("select * from dwh.state_doses").mapToMap().forEach(r -> rows.put((String) r.get("state"), r));
            h.createQuery("select * from dwh.refresh_exclusions where run_id = :run").bind("run", run)
                .mapToMap().forEach(r -> rows.put("excluded: " + r.get("jurisdiction"), r));
            return rows;
        });
    }

    @Test
    void populationIsTheSumOfTheStatesCounties() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Pennsylvania", "Philadelphia", 1500);
            county(h, "Pennsylvania", "Allegheny", 1200);
            county(h, "Pennsylvania", "Erie", 300);
            allocate(h, "moderna", "Pennsylvania", "2021-01-04", 500, 500);
        });
        Map<String, Object> pa = build().get("Pennsylvania");
        assertEquals(3000L, pa.get("population"));
        assertEquals("PA", pa.get("state_code"));
    }

    @Test
    void dosesAreFirstPlusSecondOverAllWeeksPerManufacturer() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Ohio", "Franklin", 1000);
            allocate(h, "moderna", "Ohio", "2020-12-21", 100, 0);
            allocate(h, "moderna", "Ohio", "2020-12-28", 100, 100);
            allocate(h, "pfizer", "Ohio", "2020-12-14", 50, 40);
        });
        Map<String, Object> ohio = build().get("Ohio");
        assertEquals(300L, ohio.get("doses_moderna"));
        assertEquals(90L, ohio.get("doses_pfizer"));
        assertEquals(390L, ohio.get("doses_total"));
        assertEquals(new BigDecimal("2.5641"), ohio.get("people_per_dose")); // 1000 / 390 = 2.564102...
    }

    @Test
    void theThreeCitiesAreFoldedIntoTheirStates() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "New York", "Kings", 800);
            county(h, "Illinois", "Cook", 600);
            county(h, "Pennsylvania", "Philadelphia", 400);
            allocate(h, "moderna", "New York", "2021-01-04", 100, 100);
            allocate(h, "moderna", "New York City", "2021-01-04", 150, 150);
            allocate(h, "pfizer", "Chicago", "2021-01-04", 300, 300);
            allocate(h, "pfizer", "Philadelphia", "2021-01-04", 200, 0);
        });
        Map<String, Map<String, Object>> rows = build();
        assertEquals(500L, rows.get("New York").get("doses_total"));
        assertEquals(new BigDecimal("1.6000"), rows.get("New York").get("people_per_dose"));
        assertEquals(600L, rows.get("Illinois").get("doses_pfizer"));
        assertEquals(new BigDecimal("1.0000"), rows.get("Illinois").get("people_per_dose"));
        assertEquals(200L, rows.get("Pennsylvania").get("doses_total"));
        assertEquals(List.of("Illinois", "New York", "Pennsylvania"),
            rows.keySet().stream().filter(k -> !k.startsWith("excluded")).toList());
    }

    @Test
    void theRatioIsRoundedHalfUpToFourDecimalsAndNullWithoutDoses() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Delaware", "Kent", 1);
            allocate(h, "pfizer", "Delaware", "2021-01-04", 16, 16); // 1 / 32 = 0.03125
            county(h, "Alaska", "Anchorage", 900);
            allocate(h, "moderna", "Alaska", "2021-01-04", 0, 0);
            county(h, "Maine", "York", 700); // no allocation rows at all
        });
        Map<String, Map<String, Object>> rows = build();
        assertEquals(new BigDecimal("0.0313"), rows.get("Delaware").get("people_per_dose"));
        assertEquals(0L, rows.get("Alaska").get("doses_total"));
        assertNull(rows.get("Alaska").get("people_per_dose"));
        assertEquals(0L, rows.get("Maine").get("doses_moderna"));
        assertNull(rows.get("Maine").get("people_per_dose"));
    }

    @Test
    void nonStatesAreExcludedAndReportedByKind() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Puerto Rico", "Adjuntas Municipio", 5000);
            county(h, "Texas", "Travis", 100);
            allocate(h, "moderna", "Puerto Rico", "2021-01-04", 70, 70);
            allocate(h, "pfizer", "Puerto Rico", "2021-01-04", 30, 0);
            allocate(h, "pfizer", "Marshall Islands", "2021-01-04", 5, 5);
            allocate(h, "moderna", "Federal Entities", "2021-01-04", 1000, 1000);
            allocate(h, "moderna", "Narnia", "2021-01-04", 1, 2);
        });
        Map<String, Map<String, Object>> rows = build();
        assertEquals(List.of("Texas"), rows.keySet().stream().filter(k -> !k.startsWith("excluded")).toList());
        assertEquals(Map.of("kind", "territory", "doses_moderna", 140L, "doses_pfizer", 30L, "doses_total", 170L),
            doses(rows.get("excluded: Puerto Rico")));
        assertEquals("freely_associated_state", rows.get("excluded: Marshall Islands").get("kind"));
        assertEquals(Map.of("kind", "federal", "doses_moderna", 2000L, "doses_pfizer", 0L, "doses_total", 2000L),
            doses(rows.get("excluded: Federal Entities")));
        assertEquals(Map.of("kind", "unknown", "doses_moderna", 3L, "doses_pfizer", 0L, "doses_total", 3L),
            doses(rows.get("excluded: Narnia")));
    }

    @Test
    void aRowRepeatedVerbatimCountsOnce() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Utah", "Salt Lake", 100);
            allocate(h, "moderna", "Utah", "2021-01-04", 10, 10);
            allocate(h, "moderna", "Utah", "2021-01-04", 10, 10);
        });
        assertEquals(20L, build().get("Utah").get("doses_total"));
    }

    private static Map<String, Object> doses(Map<String, Object> exclusion) {
        return Map.of("kind", exclusion.get("kind"), "doses_moderna", exclusion.get("doses_moderna"),
            "doses_pfizer", exclusion.get("doses_pfizer"), "doses_total", exclusion.get("doses_total"));
    }
}
