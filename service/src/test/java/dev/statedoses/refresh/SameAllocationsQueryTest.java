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
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The comparison of the two allocation files (sql/checks/sources/same_allocations.sql), against
 * its definition worked out here: each source's staged rows, all and with doses, and those of
 * them Moderna and Pfizer have in common (the same jurisdiction, week and counts); over every
 * week, or over about {@code :weeks} of them, picked by a hash of the week, when there are more.
 * Over generated staged rows (seeded): few jurisdictions and tiny counts, so that rows in common,
 * rows repeated word for word, rows without doses, weeks one source lacks and a source with no
 * rows at all all occur.
 */
class SameAllocationsQueryTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    private static final String SAME_ALLOCATIONS = Sql.load("checks/sources/same_allocations.sql");
    private static final List<String> PLACES = List.of("Alabama", "Alaska", "Guam", "Chicago", "Federal Entities",
        "Nowhere");
    private static final LocalDate MONDAY = LocalDate.of(2021, 1, 4);

    private record Row(String manufacturer, String jurisdiction, LocalDate week, long first, long second) {

        boolean dosed() {
            return first + second > 0;
        }
    }

    /** The six counts and whether the weeks were sampled, in the query's column order. */
    private record Counts(long moderna, long pfizer, long common, long modernaDosed, long pfizerDosed,
                          long commonDosed, boolean sampled) {
    }

    @Test
    void countsEveryWeeksRowsWhenTheWeeksAreFew() {
        Random random = new Random(20261130);
        int sawCommon = 0;
        int sawAllCommon = 0;
        for (int i = 0; i < 150; i++) {
            List<Row> rows = generated(random, 1 + random.nextInt(8));
            Counts expected = expected(rows, week -> true, false);
            Counts actual = query(rows, 1000).get(0);
            assertEquals(expected, actual, "case " + i + ": " + rows);
            sawCommon += expected.common() > 0 && expected.common() < expected.moderna() ? 1 : 0;
            sawAllCommon += expected.common() > 0 && expected.common() == expected.moderna() ? 1 : 0;
        }
        // The generated cases reach both sides of the checks, not only "nothing in common".
        assertTrue(sawCommon >= 10 && sawAllCommon >= 3, sawCommon + " partly, " + sawAllCommon + " wholly common");
    }

    @Test
    void countsAboutTheGivenNumberOfWeeksPickedByTheirHashWhenThereAreMore() {
        Random random = new Random(7);
        int sampledWeeks = 0;
        int allWeeks = 0;
        for (int i = 0; i < 40; i++) {
            List<Row> rows = generated(random, 12 + random.nextInt(30));
            int limit = 2 + random.nextInt(5);
            List<Counts> answers = query(rows, limit);
            Set<LocalDate> weeks = new TreeSet<>();
            rows.forEach(r -> weeks.add(r.week()));
            // One week in k, k the weeks over the limit rounded up: those whose hash, as a
            // non-negative number, k divides.
            long k = (weeks.size() + limit - 1) / limit;
            Set<LocalDate> picked = new TreeSet<>();
            for (LocalDate week : weeks) {
                if (k == 1 || (hash(week) & 0x7fffffffL) % k == 0) {
                    picked.add(week);
                }
            }
            assertEquals(expected(rows, picked::contains, k > 1), answers.get(0), "case " + i + ", limit " + limit);
            // Asked for every week, the same rows give the whole comparison.
            assertEquals(expected(rows, week -> true, false), query(rows, 1000).get(0), "case " + i + ", every week");
            sampledWeeks += picked.size();
            allWeeks += weeks.size();
        }
        // A sample, not every week or none: about one in k.
        assertTrue(sampledWeeks > allWeeks / 12 && sampledWeeks < allWeeks / 2, sampledWeeks + " of " + allWeeks);
    }

    /**
     * Weeks 0 to {@code weeks - 1}, each manufacturer's a range of its own (or none); at most one
     * row per place and week, maybe repeated, a part of Pfizer's copied from Moderna's.
     */
    private static List<Row> generated(Random random, int weeks) {
        List<Row> rows = new ArrayList<>();
        List<Row> moderna = new ArrayList<>();
        // A quarter of the cases: Pfizer's rows copied from Moderna's wherever it has the place that week.
        boolean copy = random.nextInt(4) == 0;
        for (String manufacturer : List.of("moderna", "pfizer")) {
            if (random.nextInt(12) == 0) {
                continue; // a source with no rows
            }
            int from = random.nextInt(Math.max(1, weeks / 3));
            int to = Math.min(weeks - 1, from + random.nextInt(weeks));
            for (int week = from; week <= to; week++) {
                for (String place : PLACES) {
                    if (random.nextInt(4) == 0) {
                        continue;
                    }
                    Row row = new Row(manufacturer, place, MONDAY.plusWeeks(week), random.nextInt(3), random.nextInt(2));
                    if (manufacturer.equals("pfizer") && (copy || random.nextBoolean())) {
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

    /** What the query must answer over the weeks {@code compared} picks, from its definition. */
    private static Counts expected(List<Row> rows, Predicate<LocalDate> compared, boolean sampled) {
        Set<Row> staged = new LinkedHashSet<>(rows);
        long[] c = new long[6];
        for (Row r : staged) {
            if (!compared.test(r.week())) {
                continue;
            }
            boolean moderna = r.manufacturer().equals("moderna");
            c[moderna ? 0 : 1]++;
            c[moderna ? 3 : 4] += r.dosed() ? 1 : 0;
            if (moderna && staged.contains(new Row("pfizer", r.jurisdiction(), r.week(), r.first(), r.second()))) {
                c[2]++;
                c[5] += r.dosed() ? 1 : 0;
            }
        }
        return new Counts(c[0], c[1], c[2], c[3], c[4], c[5], sampled);
    }

    /** PostgreSQL's hash of the week as the query writes it (ISO 8601). */
    private static long hash(LocalDate week) {
        return database.jdbi().withHandle(h -> h.createQuery("select hashtext(:week)")
            .bind("week", week.toString()).mapTo(Long.class).one());
    }

    private static List<Counts> query(List<Row> rows, int weeks) {
        return database.jdbi().withHandle(h -> {
            h.begin();
            try {
                RawRows.truncate(h);
                for (Row r : rows) {
                    RawRows.allocate(h, r.manufacturer(), r.jurisdiction(), r.week().toString(), r.first(), r.second());
                }
                RawRows.stage(h);
                return counts(h, weeks);
            } finally {
                h.rollback();
            }
        });
    }

    private static List<Counts> counts(Handle h, int weeks) {
        return h.createQuery(SAME_ALLOCATIONS).bind("weeks", weeks).map((rs, ctx) -> new Counts(rs.getLong("moderna"),
            rs.getLong("pfizer"), rs.getLong("common"), rs.getLong("moderna_dosed"), rs.getLong("pfizer_dosed"),
            rs.getLong("common_dosed"), rs.getBoolean("sampled"))).list();
    }
}
