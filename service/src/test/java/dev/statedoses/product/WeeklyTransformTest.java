package dev.statedoses.product;

import static dev.statedoses.support.RawRows.allocate;
import static dev.statedoses.support.RawRows.county;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.MigratedDatabase;
import dev.statedoses.support.RawRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The weekly part of the transform (sql/build_state_doses_weekly.sql builds dwh.state_doses_weekly;
 * sql/checks/build/weeks_add_up.sql checks it) on its own, in a real PostgreSQL: raw rows in, weeks
 * out. Each week is written
 * [week doses_moderna doses_pfizer cumulative_moderna cumulative_pfizer cumulative_total people_per_dose].
 */
class WeeklyTransformTest {

    private static final String BUILD = RawRows.BUILD;

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    @BeforeEach
    void emptyRawTables() {
        database.jdbi().useHandle(RawRows::truncate);
    }

    /** Runs the transform as a refresh does (a transaction, a run id); the weeks by state, in order. */
    private Map<String, List<String>> build() throws SQLException {
        return build(BUILD);
    }

    private Map<String, List<String>> build(String script) throws SQLException {
        return database.jdbi().<Map<String, List<String>>, SQLException>inTransaction(h -> {
            RawRows.transform(h, script);
            return weeks(h);
        });
    }

    static Map<String, List<String>> weeks(Handle h) {
        Map<String, List<String>> weeks = new TreeMap<>();
        h.createQuery("""
                select state, concat_ws(' ', week, doses_moderna, doses_pfizer, doses_moderna_cumulative,
                                        doses_pfizer_cumulative, doses_total_cumulative,
                                        coalesce(people_per_dose::text, 'null')) as week
                from dwh.state_doses_weekly order by state, week""")
            .map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getString("week")))
            .forEach(e -> weeks.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return weeks;
    }

    @Test
    void everyWeekOfTheSourcesIsAWeekOfEveryStateAndTotalsCarryForward() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Ohio", "Franklin", 1000);
            county(h, "Texas", "Travis", 300); // no allocation rows at all
            allocate(h, "moderna", "Ohio", "2021-01-04", 100, 100);
            // 2021-01-11 is a week only Federal Entities has: every state still gets it, with 0.
            allocate(h, "moderna", "Federal Entities", "2021-01-11", 500, 500);
            allocate(h, "pfizer", "Ohio", "2021-01-18", 50, 50);
        });
        assertEquals(Map.of(
            // 1000 / 200 = 5; the week without rows keeps 200; 1000 / (200 + 100) = 3.3333
            "Ohio", List.of(
                "2021-01-04 200 0 200 0 200 5.0000",
                "2021-01-11 0 0 200 0 200 5.0000",
                "2021-01-18 0 100 200 100 300 3.3333"),
            "Texas", List.of(
                "2021-01-04 0 0 0 0 0 null",
                "2021-01-11 0 0 0 0 0 null",
                "2021-01-18 0 0 0 0 0 null")), build());
    }

    @Test
    void citiesAreFoldedIntoTheirStatesWeekByWeek() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "New York", "Kings", 800);
            county(h, "Illinois", "Cook", 600);
            allocate(h, "moderna", "New York City", "2021-01-04", 150, 150);
            allocate(h, "moderna", "New York", "2021-01-11", 100, 100);
            allocate(h, "moderna", "New York City", "2021-01-11", 50, 0);
            allocate(h, "pfizer", "Chicago", "2021-01-11", 300, 300);
        });
        Map<String, List<String>> weeks = build();
        // NY: 300 (all NYC), 800 / 300 = 2.6667; then 200 + 50 = 250, 800 / 550 = 1.4545...
        assertEquals(List.of("2021-01-04 300 0 300 0 300 2.6667", "2021-01-11 250 0 550 0 550 1.4545"),
            weeks.get("New York"));
        // IL: nothing, then Chicago's 600: 600 / 600 = 1
        assertEquals(List.of("2021-01-04 0 0 0 0 0 null", "2021-01-11 0 600 0 600 600 1.0000"),
            weeks.get("Illinois"));
        assertEquals(List.of("Illinois", "New York"), List.copyOf(weeks.keySet()));
    }

    @Test
    void aRowRepeatedVerbatimCountsOnceAndTheRatioIsRoundedHalfUp() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Utah", "Salt Lake", 100);
            allocate(h, "moderna", "Utah", "2021-01-04", 10, 10);
            allocate(h, "moderna", "Utah", "2021-01-04", 10, 10);
            county(h, "Delaware", "Kent", 1);
            allocate(h, "pfizer", "Delaware", "2021-01-04", 16, 16); // 1 / 32 = 0.03125
        });
        Map<String, List<String>> weeks = build();
        assertEquals(List.of("2021-01-04 20 0 20 0 20 5.0000"), weeks.get("Utah"));
        assertEquals(List.of("2021-01-04 0 32 0 32 32 0.0313"), weeks.get("Delaware"));
    }

    @Test
    void aRebuildReplacesEveryWeekAndMatchesTheProductsRun() throws Exception {
        database.jdbi().useHandle(h -> {
            county(h, "Iowa", "Polk", 100);
            allocate(h, "moderna", "Iowa", "2021-01-04", 10, 10);
            allocate(h, "moderna", "Iowa", "2021-01-11", 10, 10);
        });
        build();
        emptyRawTables();
        database.jdbi().useHandle(h -> {
            county(h, "Iowa", "Polk", 100);
            allocate(h, "pfizer", "Iowa", "2021-02-01", 25, 25);
        });
        assertEquals(Map.of("Iowa", List.of("2021-02-01 0 50 0 50 50 2.0000")), build());
        List<Map<String, Object>> differing = database.jdbi().withHandle(h -> h.createQuery("""
                select w.state from dwh.state_doses_weekly w join dwh.state_doses s using (state)
                where w.run_id <> s.run_id or w.refreshed_at <> s.refreshed_at or w.state_code <> s.state_code""")
            .mapToMap().list());
        assertEquals(List.of(), differing);
    }

    @Test
    void weeksThatDoNotAddUpToTheProductFailTheBuild() {
        database.jdbi().useHandle(h -> {
            county(h, "Ohio", "Franklin", 1000);
            allocate(h, "moderna", "Ohio", "2021-01-04", 100, 100);
        });
        // A transform whose weeks drift from the product (here: one Moderna dose too many per week).
        String wrong = BUILD.replace("sum(doses_moderna) over up_to_week", "sum(doses_moderna + 1) over up_to_week");
        assertTrue(!wrong.equals(BUILD), "the script still has the cumulative sum this test changes");
        SQLException e = assertThrows(SQLException.class, () -> build(wrong));
        assertTrue(e.getMessage().contains("dwh.state_doses_weekly does not add up to dwh.state_doses: "
            + "Ohio (200/0 in state_doses, 201/0 by week)"), e.getMessage());
    }

    @Test
    void theWeeklyTableIsReadableAsDocumented() {
        List<String> columns = database.jdbi().withHandle(h -> h.createQuery("""
                select column_name from information_schema.columns
                where table_schema = 'dwh' and table_name = 'state_doses_weekly' order by ordinal_position""")
            .mapTo(String.class).list());
        assertEquals(Arrays.asList("state", "state_code", "week", "doses_moderna", "doses_pfizer",
            "doses_moderna_cumulative", "doses_pfizer_cumulative", "doses_total_cumulative", "people_per_dose",
            "refreshed_at", "run_id"), columns);
    }
}
