package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.MigratedDatabase;
import dev.statedoses.support.RawRows;
import dev.statedoses.warehouse.Sql;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The quick look before the whole comparison of the two allocation files
 * (sql/checks/sources/same_allocations_sample.sql), against its definition worked out here: in the
 * last week both sources reach, the Moderna rows, and those of them with a Pfizer row of the same
 * jurisdiction and counts. Over generated staged rows (seeded): few jurisdictions and tiny counts,
 * so that rows in common, rows repeated word for word, weeks one source lacks and a source with no
 * rows at all all occur.
 */
class SameAllocationsSampleTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    private static final String SAMPLE = Sql.load("checks/sources/same_allocations_sample.sql");
    private static final List<String> PLACES = List.of("Alabama", "Alaska", "Guam", "Chicago", "Federal Entities",
        "Nowhere");
    private static final LocalDate MONDAY = LocalDate.of(2021, 1, 4);

    private record Row(String manufacturer, String jurisdiction, LocalDate week, long first, long second) {
    }

    @Test
    void countsTheLastCommonWeeksModernaRowsAndThoseAlsoPfizers() {
        Random random = new Random(20261130);
        int sawCommon = 0;
        int sawAllCommon = 0;
        for (int i = 0; i < 150; i++) {
            List<Row> rows = generated(random);
            long[] expected = expected(rows);
            long[] actual = sample(rows);
            assertEquals(expected[0], actual[0], "rows, case " + i + ": " + rows);
            assertEquals(expected[1], actual[1], "rows in common, case " + i + ": " + rows);
            sawCommon += expected[1] > 0 && expected[1] < expected[0] ? 1 : 0;
            sawAllCommon += expected[1] > 0 && expected[1] == expected[0] ? 1 : 0;
        }
        // The generated cases reach both sides of the gate, not only "nothing in common".
        assertTrue(sawCommon >= 10 && sawAllCommon >= 5, sawCommon + " partly, " + sawAllCommon + " wholly common");
    }

    /** Each manufacturer's weeks a range of its own (or none); at most one row per place and week, maybe repeated. */
    private static List<Row> generated(Random random) {
        List<Row> rows = new ArrayList<>();
        List<Row> moderna = new ArrayList<>();
        // A quarter of the cases: Pfizer's rows copied from Moderna's wherever it has the place that week.
        boolean copy = random.nextInt(4) == 0;
        for (String manufacturer : List.of("moderna", "pfizer")) {
            if (random.nextInt(12) == 0) {
                continue; // a source with no rows
            }
            int from = random.nextInt(3);
            int to = from + random.nextInt(3);
            for (int week = from; week <= to; week++) {
                for (String place : PLACES) {
                    if (random.nextInt(4) == 0) {
                        continue;
                    }
                    Row row = new Row(manufacturer, place, MONDAY.plusWeeks(week), random.nextInt(3), random.nextInt(2));
                    if (manufacturer.equals("pfizer") && !moderna.isEmpty() && (copy || random.nextBoolean())) {
                        // Moderna's counts for this place and week, when it has them: a copied row.
                        for (Row m : moderna) {
                            if (m.jurisdiction().equals(place) && m.week().equals(row.week())) {
                                row = new Row("pfizer", place, row.week(), m.first(), m.second());
                            }
                        }
                    }
                    rows.add(row);
                    if (random.nextInt(10) == 0) {
                        rows.add(row); // a line repeated word for word: staged once
                    }
                    if (manufacturer.equals("moderna")) {
                        moderna.add(row);
                    }
                }
            }
        }
        return rows;
    }

    /** What the query must answer, from its definition. */
    private static long[] expected(List<Row> rows) {
        LocalDate lastModerna = rows.stream().filter(r -> r.manufacturer().equals("moderna")).map(Row::week)
            .max(LocalDate::compareTo).orElse(null);
        LocalDate lastPfizer = rows.stream().filter(r -> r.manufacturer().equals("pfizer")).map(Row::week)
            .max(LocalDate::compareTo).orElse(null);
        // SQL's least() passes over a null: with one source empty, the other's last week.
        LocalDate week = lastModerna == null ? lastPfizer
            : lastPfizer == null ? lastModerna
            : lastModerna.isBefore(lastPfizer) ? lastModerna : lastPfizer;
        Set<Row> staged = new LinkedHashSet<>(rows);
        long moderna = 0;
        long common = 0;
        for (Row m : staged) {
            if (m.manufacturer().equals("moderna") && m.week().equals(week)) {
                moderna++;
                if (staged.contains(new Row("pfizer", m.jurisdiction(), m.week(), m.first(), m.second()))) {
                    common++;
                }
            }
        }
        return new long[] {moderna, common};
    }

    private static long[] sample(List<Row> rows) {
        return database.jdbi().withHandle(h -> {
            h.begin();
            try {
                RawRows.truncate(h);
                for (Row r : rows) {
                    RawRows.allocate(h, r.manufacturer(), r.jurisdiction(), r.week().toString(), r.first(), r.second());
                }
                RawRows.stage(h);
                return h.createQuery(SAMPLE).map((rs, ctx) -> new long[] {rs.getLong("rows"), rs.getLong("common")})
                    .one();
            } finally {
                h.rollback();
            }
        });
    }
}
