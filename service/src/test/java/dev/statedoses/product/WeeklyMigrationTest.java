package dev.statedoses.product;

import static dev.statedoses.support.RawRows.allocate;
import static dev.statedoses.support.RawRows.county;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.RawRows;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.Warehouse;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Upgrading a warehouse that already holds a product (built before dwh.state_doses_weekly existed):
 * migration V2 fills the weeks from the raw tables of that same refresh, so GET /ratios?as_of= and
 * /ratios/{state}/weekly answer right away, not zeros until the next refresh.
 */
class WeeklyMigrationTest {

    @Test
    void anExistingProductGetsItsWeeksWhenTheWarehouseIsUpgraded() throws SQLException {
        Config config = TestWarehouse.newDatabase();
        String url = TestWarehouse.jdbcUrl(config);
        // The warehouse as the previous release left it: schema V1, one refresh loaded.
        Flyway.configure().dataSource(url, config.dbUser(), config.dbPassword())
            .locations("classpath:db/migration").target("1").load().migrate();
        Jdbi v1 = TestWarehouse.jdbi(config);
        long run = v1.withHandle(h -> {
            long id = h.createQuery("""
                    insert into dwh.refresh_runs (status, started_at, finished_at, state_rows)
                    values ('succeeded', timestamptz '2026-01-05 10:00Z', timestamptz '2026-01-05 10:01Z', 2)
                    returning run_id""").mapTo(Long.class).one();
            // The fixture numbers of New York and Illinois (src/test/resources/fixtures/README.md).
            county(h, "New York", "Kings", 5000);
            county(h, "New York", "Albany", 1000);
            county(h, "Illinois", "Cook", 3000);
            allocate(h, "moderna", "New York", "2020-12-28", 500, 0);
            allocate(h, "moderna", "New York City", "2020-12-28", 100, 100);
            allocate(h, "moderna", "New York", "2021-01-04", 1000, 1000);
            allocate(h, "moderna", "New York City", "2021-01-04", 400, 400);
            allocate(h, "pfizer", "New York", "2021-01-04", 2000, 2000);
            allocate(h, "pfizer", "Illinois", "2021-01-04", 1200, 1200);
            allocate(h, "pfizer", "Chicago", "2021-01-04", 600, 600);
            // The product that refresh built: NY 700 + 2800 = 3500 Moderna, 4000 Pfizer, 6000 / 7500;
            // IL 2400 + 1200 = 3600 Pfizer, 3000 / 3600.
            h.createUpdate("""
                    insert into dwh.state_doses (state, state_code, population, doses_moderna, doses_pfizer,
                                                 doses_total, people_per_dose, refreshed_at, run_id)
                    values ('New York', 'NY', 6000, 3500, 4000, 7500, 0.8000, timestamptz '2026-01-05 10:00:30Z', :run),
                           ('Illinois', 'IL', 3000, 0, 3600, 3600, 0.8333, timestamptz '2026-01-05 10:00:30Z', :run)""")
                .bind("run", id).execute();
            return id;
        });

        try (Warehouse upgraded = Warehouse.connect(url, config.dbUser(), config.dbPassword(), null)) {
            Map<String, List<String>> backfilled = upgraded.jdbi().withHandle(WeeklyTransformTest::weeks);
            // [week moderna pfizer cumulative_moderna cumulative_pfizer cumulative_total people_per_dose]
            assertEquals(Map.of(
                // 500 + 0 + 100 + 100 = 700, 6000 / 700 = 8.5714; 2000 + 800 = 2800 and 4000, 6000 / 7500
                "New York", List.of("2020-12-28 700 0 700 0 700 8.5714", "2021-01-04 2800 4000 3500 4000 7500 0.8000"),
                // nothing in 2020-12-28; 2400 + 1200 = 3600, 3000 / 3600 = 0.8333
                "Illinois", List.of("2020-12-28 0 0 0 0 0 null", "2021-01-04 0 3600 0 3600 3600 0.8333")),
                backfilled);
            // The weeks belong to the product's refresh.
            List<Map<String, Object>> lineage = upgraded.jdbi().withHandle(h -> h.createQuery("""
                    select distinct run_id, refreshed_at = timestamptz '2026-01-05 10:00:30Z' as same_time
                    from dwh.state_doses_weekly""").mapToMap().list());
            assertEquals(List.of(Map.of("run_id", run, "same_time", true)), lineage);

            // The next refresh's transform gives the same weeks from the same raw tables.
            Map<String, List<String>> rebuilt = upgraded.jdbi().<Map<String, List<String>>, SQLException>inTransaction(h -> {
                RawRows.transform(h, RawRows.BUILD);
                return WeeklyTransformTest.weeks(h);
            });
            assertEquals(backfilled, rebuilt);
        }
    }

    @Test
    void aNewWarehouseStartsWithoutWeeks() {
        try (Warehouse fresh = TestWarehouse.connectNewDatabase()) {
            int rows = fresh.jdbi().withHandle(h -> h.createQuery("select count(*) from dwh.state_doses_weekly")
                .mapTo(Integer.class).one());
            assertEquals(0, rows);
        }
    }
}
