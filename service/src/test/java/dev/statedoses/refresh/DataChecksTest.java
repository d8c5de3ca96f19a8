package dev.statedoses.refresh;

import static dev.statedoses.support.RawRows.allocate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.MigratedDatabase;
import dev.statedoses.support.RawRows;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The data checks (sql/checks/*.sql) on their own, in a real PostgreSQL, over hand-inserted rows:
 * what each one passes, warns about and fails. Each test runs in a transaction that is rolled
 * back, so it may even loosen the product table's constraints to show what the checks would see.
 */
class DataChecksTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    /**
     * Runs the checks as a refresh does, in a transaction with a run id, over a product of the 51
     * states with {@code doses} each of Moderna (population 1000), after {@code setUp}; rolls back.
     */
    private Map<String, CheckResult> checks(long doses, Consumer<Handle> setUp) {
        return database.jdbi().withHandle(h -> {
            h.begin();
            try {
                long run = RawRows.beginRun(h);
                h.createUpdate("""
                        insert into dwh.state_doses (state, state_code, population, doses_moderna, doses_pfizer,
                                                     doses_total, people_per_dose, refreshed_at, run_id)
                        select name, state_code, 1000, :doses, 0, :doses, round(1000::numeric / nullif(:doses, 0), 4),
                               now(), :run
                        from dwh.jurisdictions where kind in ('state', 'district')""")
                    .bind("doses", doses).bind("run", run).execute();
                setUp.accept(h);
                RawRows.stage(h);
                Map<String, CheckResult> results = new LinkedHashMap<>();
                Transform.countDoses(h);
                new Checks(source -> null).product(h).forEach(c -> results.put(c.name(), c));
                return results;
            } finally {
                h.rollback();
            }
        });
    }


    private static void exclude(Handle h, String jurisdiction, String kind, long doses) {
        h.createUpdate("""
                insert into dwh.refresh_exclusions (run_id, jurisdiction, kind, doses_moderna, doses_pfizer, doses_total)
                values (current_setting('state_doses.run_id')::bigint, :j, :k, :d, 0, :d)""")
            .bind("j", jurisdiction).bind("k", kind).bind("d", doses).execute();
    }

    /** 51 states with 10 Moderna doses each in week 2021-01-04: 510 doses, all in state rows. */
    private static void everyStateAllocated(Handle h) {
        h.createQuery("select name from dwh.jurisdictions where kind in ('state', 'district')")
            .mapTo(String.class).list()
            .forEach(state -> allocate(h, "moderna", state, "2021-01-04", 5, 5));
    }

    private static CheckResult result(String name, String status, String detail) {
        return new CheckResult(name, status, detail);
    }

    @Test
    void aConsistentProductPassesEveryCheck() {
        Map<String, CheckResult> checks = checks(10, h -> {
            everyStateAllocated(h);
            allocate(h, "pfizer", "Guam", "2021-01-04", 3, 4);
            exclude(h, "Guam", "territory", 7);
        });
        assertEquals(List.of("unique_state", "unique_state_code", "not_null", "accepted_values_jurisdiction",
            "row_count", "reconciliation", "completeness_moderna", "completeness_pfizer", "allocation_coverage",
            "plausible_weeks", "plausible_people_per_dose", "plausible_population", "derived_values"),
            List.copyOf(checks.keySet()));
        // Every state has 1,000 people here, far under any census count: that check has tests of its own.
        CheckResult census = checks.remove("plausible_population");
        assertEquals("warn", census.status());
        assertTrue(census.detail().startsWith("51 state(s) more than 1.25 times over or under their 2020 census "
            + "count: California 1000 (39538.22 times under its census count, 39538223); Texas 1000 "), census.detail());
        assertTrue(census.detail().endsWith("; and 41 more"), census.detail());
        assertEquals(List.of(
            result("unique_state", "pass", "every state has one row in dwh.state_doses"),
            result("unique_state_code", "pass", "every state_code has one row in dwh.state_doses"),
            result("not_null", "pass", "state, state_code, population, doses_moderna, doses_pfizer, doses_total, "
                + "refreshed_at and run_id are set in every row"),
            result("accepted_values_jurisdiction", "pass",
                "every jurisdiction in the allocation sources is in dwh.jurisdictions"),
            result("row_count", "pass", "dwh.state_doses has 51 rows: the 50 states and DC"),
            result("reconciliation", "pass", "517 doses in the sources = 510 in state rows + 7 excluded"),
            result("completeness_moderna", "pass", "1 week, with 51 jurisdictions"),
            result("completeness_pfizer", "pass", "1 week, with 1 jurisdiction"),
            // Pfizer allocates to Guam alone here.
            result("allocation_coverage", "warn", "pfizer has no row for 51 states or cities that moderna has: "
                + "Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, District of "
                + "Columbia, Florida and 41 more"),
            result("plausible_weeks", "pass", "every week lies between its manufacturer's first allocations (pfizer 2020-12-14, moderna "
                    + "2020-12-21) and the week after the one the refresh runs in"),
            result("plausible_people_per_dose", "pass",
                "every state's people per dose is within 3 times the median of the states, 100.0000"),
            result("derived_values", "pass", "doses_total, people_per_dose and state_code are as the product "
                + "defines them in every row of dwh.state_doses and dwh.state_doses_weekly")),
            List.copyOf(checks.values()));
    }

    /**
     * Values stored otherwise than the product defines them, as a trigger, a rule or a narrowed
     * column made them in a warehouse changed by hand, generated: random states, each with one of
     * five corruptions. The check fails naming exactly those rows and columns, in order; a state
     * left alone is never named.
     */
    @Test
    void storedValuesOtherThanTheProductDefinesFailNamingTheRows() {
        List<String> states = database.jdbi().withHandle(h -> h.createQuery(
            "select name from dwh.jurisdictions where kind in ('state', 'district') order by name").mapTo(String.class).list());
        String[][] corruptions = {
            {"people_per_dose = 0", "people_per_dose"},
            {"people_per_dose = people_per_dose + 0.0001", "people_per_dose"},
            {"people_per_dose = null", "people_per_dose"},
            {"doses_total = doses_total + 1", "doses_total"},
            {"state_code = lower(state_code)", "state_code"}};
        Random random = new Random(20261202);
        for (int round = 0; round < 10; round++) {
            java.util.TreeMap<String, String[]> corrupted = new java.util.TreeMap<>();
            for (int n = 1 + random.nextInt(7); n > 0; n--) {
                corrupted.put(states.get(random.nextInt(states.size())), corruptions[random.nextInt(corruptions.length)]);
            }
            CheckResult check = checks(10, h -> {
                everyStateAllocated(h);
                corrupted.forEach((state, how) -> h.createUpdate("update dwh.state_doses set " + how[0] + " where state = :s")
                    .bind("s", state).execute());
            }).get("derived_values");
            List<String> named = new ArrayList<>();
            corrupted.forEach((state, how) -> named.add("dwh.state_doses " + state + " (" + how[1] + ")"));
            assertEquals(result("derived_values", "fail", corrupted.size() + " row(s) store other values than the "
                + "product defines (a trigger, a rule or a column type changed by hand in the warehouse?): "
                + String.join("; ", named.subList(0, Math.min(5, named.size())))
                + (named.size() > 5 ? "; and " + (named.size() - 5) + " more" : "")), check, corrupted.keySet().toString());
        }
    }

    /**
     * A column narrowed by hand rounds every ratio (New York 0.84): failed. A real column keeps
     * six digits: a ratio of 0.8368 passes, one of 333.3333 (333.333 in it) does not.
     */
    @Test
    void aPeoplePerDoseColumnThatCannotHoldTheRatioFails() {
        CheckResult narrowed = checks(3, h -> {
            everyStateAllocated(h);
            h.execute("alter table dwh.state_doses alter column people_per_dose type numeric(14,2)");
        }).get("derived_values");
        assertEquals("fail", narrowed.status());
        assertTrue(narrowed.detail().startsWith("51 row(s) store other values than the product defines (a trigger, "
            + "a rule or a column type changed by hand in the warehouse?): dwh.state_doses Alabama (people_per_dose); "),
            narrowed.detail());
        for (long doses : new long[] {1195, 3}) {
            CheckResult real = checks(doses, h -> {
                everyStateAllocated(h);
                h.execute("alter table dwh.state_doses alter column people_per_dose type real");
            }).get("derived_values");
            assertEquals(doses == 1195 ? "pass" : "fail", real.status(), real.detail());
        }
    }

    @Test
    void aDoseThatNoRowOrExclusionHoldsFailsTheReconciliation() {
        // 510 in the sources + Guam's 7, but Guam was never reported as an exclusion.
        CheckResult check = checks(10, h -> {
            everyStateAllocated(h);
            allocate(h, "pfizer", "Guam", "2021-01-04", 3, 4);
        }).get("reconciliation");
        assertEquals(result("reconciliation", "fail", "517 doses in the sources <> 510 in state rows + 0 excluded"),
            check);
    }

    @Test
    void aMissingOrAnExtraStateRowFailsTheRowCount() {
        assertEquals(result("row_count", "fail", "dwh.state_doses has 50 rows, expected 51 (the 50 states and DC)"),
            checks(0, h -> h.execute("delete from dwh.state_doses where state = 'Wyoming'")).get("row_count"));
        assertEquals(result("row_count", "fail", "dwh.state_doses has 52 rows, expected 51 (the 50 states and DC)"),
            checks(0, h -> {
                h.execute("insert into dwh.jurisdictions (name, kind, state_code) values ('Atlantis', 'state', 'AT')");
                h.execute("insert into dwh.state_doses select 'Atlantis', 'AT', 1, 0, 0, 0, null, now(), run_id "
                    + "from dwh.state_doses limit 1");
            }).get("row_count"));
    }

    @Test
    void aStateTwiceFailsUniqueness() {
        // The primary key keeps this from happening; without it, the check still sees it.
        Map<String, CheckResult> checks = checks(0, h -> {
            h.execute("alter table dwh.state_doses drop constraint state_doses_pkey");
            h.execute("alter table dwh.state_doses drop constraint state_doses_state_code_key");
            h.execute("insert into dwh.state_doses select * from dwh.state_doses where state in ('Ohio', 'Utah')");
            h.execute("insert into dwh.state_doses select * from dwh.state_doses where state = 'Ohio' limit 1");
        });
        assertEquals(result("unique_state", "fail",
            "dwh.state_doses has more than one row for Ohio (3 rows), Utah (2 rows)"), checks.get("unique_state"));
        assertEquals(result("unique_state_code", "fail",
            "dwh.state_doses has more than one row for state_code OH (3 rows), UT (2 rows)"),
            checks.get("unique_state_code"));
        assertEquals(result("row_count", "fail", "dwh.state_doses has 54 rows, expected 51 (the 50 states and DC)"),
            checks.get("row_count"));
    }

    @Test
    void aNullInARequiredColumnFailsNotNullButANullRatioDoesNot() {
        CheckResult check = checks(0, h -> {
            h.execute("alter table dwh.state_doses alter column population drop not null, "
                + "alter column doses_total drop not null");
            h.execute("update dwh.state_doses set population = null where state in ('Ohio', 'Utah')");
            h.execute("update dwh.state_doses set doses_total = null where state = 'Iowa'");
        }).get("not_null");
        assertEquals(result("not_null", "fail", "null in dwh.state_doses: population (2 rows), doses_total (1 rows)"),
            check);
    }

    @Test
    void anUnknownJurisdictionIsAWarningWithItsSourcesAndDoses() {
        CheckResult check = checks(0, h -> {
            allocate(h, "moderna", "Narnia", "2021-01-04", 1, 2);
            allocate(h, "pfizer", "Narnia", "2021-01-11", 4, 0);
            allocate(h, "pfizer", "Atlantis", "2021-01-04", 5, 5);
            allocate(h, "pfizer", "Ohio", "2021-01-04", 5, 5);
        }).get("accepted_values_jurisdiction");
        assertEquals(result("accepted_values_jurisdiction", "warn",
            "2 jurisdiction(s) not in dwh.jurisdictions, their doses reported as exclusions of kind unknown: "
                + "Atlantis (pfizer, 10 doses); Narnia (moderna, pfizer, 7 doses)"), check);
    }

    @Test
    void aWeekWithFewerJurisdictionsThanTheFullestIsAWarningPerSource() {
        Map<String, CheckResult> checks = checks(0, h -> {
            for (String state : List.of("Ohio", "Utah", "Iowa")) {
                allocate(h, "moderna", state, "2021-01-04", 1, 1);
                allocate(h, "moderna", state, "2021-01-11", 1, 1);
            }
            allocate(h, "moderna", "Ohio", "2020-12-28", 1, 1);
            allocate(h, "moderna", "Ohio", "2021-01-18", 1, 1);
            allocate(h, "moderna", "Utah", "2021-01-18", 1, 1);
            allocate(h, "pfizer", "Ohio", "2021-01-04", 1, 1);
            allocate(h, "pfizer", "Utah", "2021-01-04", 1, 1);
            allocate(h, "pfizer", "Ohio", "2021-01-11", 1, 1);
            allocate(h, "pfizer", "Utah", "2021-01-11", 1, 1);
        });
        assertEquals(result("completeness_moderna", "warn",
            "week 2020-12-28 has 1 of 3 jurisdictions; week 2021-01-18 has 2 of 3 jurisdictions"),
            checks.get("completeness_moderna"));
        assertEquals(result("completeness_pfizer", "pass", "all 2 weeks have 2 jurisdictions"),
            checks.get("completeness_pfizer"));
    }

    @Test
    void aSourceWithoutRowsHasNoWeeks() {
        assertEquals(result("completeness_pfizer", "pass", "no weeks"),
            checks(0, h -> { }).get("completeness_pfizer"));
    }

    /** Doses for some states ({@code state, doses, ...}), the others keeping theirs. */
    private static Consumer<Handle> doses(Object... stateDoses) {
        return h -> {
            for (int i = 0; i < stateDoses.length; i += 2) {
                h.createUpdate("update dwh.state_doses set doses_total = :doses where state = :state")
                    .bind("state", (String) stateDoses[i]).bind("doses", (Integer) stateDoses[i + 1]).execute();
            }
        };
    }

    @Test
    void peoplePerDoseFarFromTheStatesMedianIsAWarningThenAFailure() {
        // Every state has 1000 people and, but for those named, 1000 doses: the median is 1.0.
        assertEquals(result("plausible_people_per_dose", "pass",
                "every state's people per dose is within 3 times the median of the states, 1.0000"),
            checks(1000, doses("Alaska", 1786, "Utah", 419)).get("plausible_people_per_dose"));
        assertEquals(result("plausible_people_per_dose", "warn",
                "2 state(s) far from the median people per dose of the states, 1.0000: Texas 5.0000 (5.0 times "
                    + "over); Vermont 0.2500 (4.0 times under)"),
            checks(1000, doses("Vermont", 4000, "Texas", 200)).get("plausible_people_per_dose"));
        // As when Vermont's and Texas's names are exchanged: 20 and 50 times off.
        assertEquals(result("plausible_people_per_dose", "fail",
                "2 state(s) far from the median people per dose of the states, 1.0000, 2 of them over 10 times, "
                    + "which fails the refresh: Texas 50.0000 (50.0 times over); Vermont 0.0500 (20.0 times under)"),
            checks(1000, doses("Vermont", 20000, "Texas", 20)).get("plausible_people_per_dose"));
        // A failure names the states that fail it first, and says how many: here one of three, the
        // states without doses (a warning) last.
        assertEquals(result("plausible_people_per_dose", "fail",
                "3 state(s) far from the median people per dose of the states, 1.0000, 1 of them over 10 times, "
                    + "which fails the refresh: Vermont 0.0500 (20.0 times under); Texas 4.0000 (4.0 times over); "
                    + "Alaska no doses"),
            checks(1000, doses("Alaska", 0, "Vermont", 20000, "Texas", 250)).get("plausible_people_per_dose"));
        // More doses than the rounded ratio can show (0.0000) are as far off as they are.
        assertEquals("fail", checks(1000, doses("Vermont", 2_000_000_000)).get("plausible_people_per_dose").status());
    }

    @Test
    void theMedianIsTheDosedStatesSoAStateShortOfItsDosesStandsOutBesideHalfWithout() {
        // The first 26 states by name without doses, Texas with a tenth of its (1 against 10): the
        // median is the 25 dosed states' (100 people per dose), and Texas is 10 times over it.
        CheckResult check = checks(10, h -> {
            h.execute("update dwh.state_doses set doses_moderna = 0, doses_total = 0 where state in (select state "
                + "from dwh.state_doses order by state collate \"C\" limit 26)");
            h.execute("update dwh.state_doses set doses_moderna = 1, doses_total = 1 where state = 'Texas'");
        }).get("plausible_people_per_dose");
        assertEquals("warn", check.status());
        assertTrue(check.detail().startsWith("27 state(s) far from the median people per dose of the states, "
            + "100.0000: Texas 1000.0000 (10.0 times over); Alabama no doses; "), check.detail());
        assertTrue(check.detail().endsWith("; Missouri no doses"), check.detail());
    }

    @Test
    void aStateWithoutDosesIsAWarningEvenWhenMostStatesHaveNone() {
        assertEquals(result("plausible_people_per_dose", "warn",
                "1 state(s) far from the median people per dose of the states, 1.0000: Vermont no doses"),
            checks(1000, doses("Vermont", 0)).get("plausible_people_per_dose"));
        // Only Ohio and Utah have doses, as in the fixtures: nothing to compare with, but the 49
        // states without doses are named (the first ten, by name).
        assertEquals(result("plausible_people_per_dose", "warn",
                "49 of the 51 states have no doses, too many to compare the others with a median: Alabama, "
                    + "Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, District of Columbia, "
                    + "Florida and 39 more"),
            checks(0, doses("Ohio", 1000, "Utah", 10)).get("plausible_people_per_dose"));
    }

    /** Each state's population set to its 2020 census count times {@code factor}, then {@code setUp}. */
    private static Consumer<Handle> censusTimes(double factor, String... setUp) {
        return h -> {
            h.createUpdate("""
                    update dwh.state_doses s set population = round(j.census_2020_population * :factor)
                    from dwh.jurisdictions j where j.name = s.state""").bind("factor", factor).execute();
            for (String sql : setUp) {
                h.execute(sql);
            }
        };
    }

    @Test
    void statesAtTheirCensusCountsPassTheCensusComparison() {
        assertEquals(result("plausible_population", "pass",
                "every state's population is within 1.25 times its 2020 census count (1.00 to 1.00 times)"),
            checks(10, censusTimes(1)).get("plausible_population"));
        // 1.2 times over and 0.81 times under are within it.
        assertEquals("pass", checks(10, censusTimes(1,
            "update dwh.state_doses set population = 771692 where state = 'Vermont'",
            "update dwh.state_doses set population = 467249 where state = 'Wyoming'"))
            .get("plausible_population").status());
    }

    @Test
    void aStateFarFromItsCensusCountIsAWarningNamingIt() {
        // Texas's total appended as a county (twice 29,145,505), New Jersey's people under New York
        // (20,201,249 / 9,288,994 = 2.17 times under), Wyoming at 1.3 times (749,906 / 576,851).
        assertEquals(result("plausible_population", "warn",
                "3 state(s) more than 1.25 times over or under their 2020 census count: New York 9288994 (2.17 times "
                    + "under its census count, 20201249); Texas 58291010 (2.00 times over its census count, "
                    + "29145505); Wyoming 749906 (1.30 times over its census count, 576851)"),
            checks(10, censusTimes(1,
                "update dwh.state_doses set population = 58291010 where state = 'Texas'",
                "update dwh.state_doses set population = 9288994 where state = 'New York'",
                "update dwh.state_doses set population = 749906 where state = 'Wyoming'"))
                .get("plausible_population"));
    }

    @Test
    void aCountyFileInThousandsIsAWarningThatTheComparisonBetweenStatesCannotGive() {
        Map<String, CheckResult> checks = checks(10, censusTimes(0.001));
        CheckResult census = checks.get("plausible_population");
        assertEquals("warn", census.status());
        // Farthest first: Alaska 733,391 / 733 = 1000.53, Rhode Island 1,097,379 / 1,097 = 1000.35.
        assertTrue(census.detail().startsWith("51 state(s) more than 1.25 times over or under their 2020 census count: "
            + "Alaska 733 (1000.53 times under its census count, 733391); Rhode Island 1097 (1000.35 times under its "
            + "census count, 1097379); "), census.detail());
        assertTrue(census.detail().endsWith("; and 41 more"), census.detail());
    }

    /**
     * States at their census counts, every state and DC allocated in each of {@code weeks} (from
     * 2021-01-04), and each state's doses set to round(its census count × {@code perResident}).
     */
    private static Consumer<Handle> censusAllocatedAt(double perResident, int weeks) {
        return h -> {
            censusTimes(1).accept(h);
            h.createQuery("select name from dwh.jurisdictions where kind in ('state', 'district')")
                .mapTo(String.class).list()
                .forEach(state -> {
                    for (int w = 0; w < weeks; w++) {
                        allocate(h, "moderna", state, LocalDate.of(2021, 1, 4).plusWeeks(w).toString(), 5, 5);
                    }
                });
            h.createUpdate("""
                    update dwh.state_doses s set doses_total = round(j.census_2020_population * :per)
                    from dwh.jurisdictions j where j.name = s.state""").bind("per", perResident).execute();
        };
    }

    /** The sentence plausible_people_per_dose adds for a rate out of the real files' range. */
    private static String otherUnits(String rate) {
        return "; but the states are allocated " + rate + " doses per 2020 census resident a week, with their people "
            + "the census's (the real files: 0.017 to 0.052): are both allocation files in other units (thousands, "
            + "tens)?";
    }

    @Test
    void bothAllocationFilesInOtherUnitsAreAWarningWhenThePeopleAreTheCensus() {
        // Every state at 0.02 doses a resident in one week: 50 people per dose, as in the real files.
        CheckResult usual = checks(0, censusAllocatedAt(0.02, 1)).get("plausible_people_per_dose");
        assertEquals("pass", usual.status());
        assertTrue(usual.detail().startsWith("every state's people per dose is within 3 times the median of the "
            + "states, 50.00"), usual.detail());
        // Ten times the busiest real week over, in thousands: the median is in line with every state.
        CheckResult tens = checks(0, censusAllocatedAt(0.3, 1)).get("plausible_people_per_dose");
        assertEquals("warn", tens.status());
        assertTrue(tens.detail().endsWith(otherUnits("0.3000")), tens.detail());
        CheckResult thousands = checks(0, censusAllocatedAt(0.00004, 1)).get("plausible_people_per_dose");
        assertEquals("warn", thousands.status());
        assertTrue(thousands.detail().startsWith("every state's people per dose is within 3 times the median of the "
            + "states, 2500"), thousands.detail());
        assertTrue(thousands.detail().endsWith(otherUnits("0.000040")), thousands.detail());
    }

    @Test
    void theRateIsAWeeksAndItsLimitsAreFourTimesTheBusiestAndATenthOfTheQuietest() {
        // 4 × 0.052 = 0.208 and 0.017 / 10 = 0.0017 a resident a week.
        assertEquals("pass", checks(0, censusAllocatedAt(0.2, 1)).get("plausible_people_per_dose").status());
        assertEquals("warn", checks(0, censusAllocatedAt(0.22, 1)).get("plausible_people_per_dose").status());
        assertEquals("pass", checks(0, censusAllocatedAt(0.0018, 1)).get("plausible_people_per_dose").status());
        assertEquals("warn", checks(0, censusAllocatedAt(0.0016, 1)).get("plausible_people_per_dose").status());
        // 0.5 a resident over two weeks is 0.25 a week: over; 0.4 over two is 0.2: within.
        CheckResult twoWeeks = checks(0, censusAllocatedAt(0.5, 2)).get("plausible_people_per_dose");
        assertTrue(twoWeeks.detail().endsWith(otherUnits("0.2500")), twoWeeks.detail());
        assertEquals("pass", checks(0, censusAllocatedAt(0.4, 2)).get("plausible_people_per_dose").status());
    }

    @Test
    void aCountyFileThatIsNotTheCensusIsNotJudgedSo() {
        // The same absurd rate, with each state's people at half its census count (under 0.8 times
        // together) or at 1,000: a test's files, allocated as it likes.
        Consumer<Handle> thousands = censusAllocatedAt(0.00004, 1);
        CheckResult half = checks(0, h -> {
            thousands.accept(h);
            h.execute("update dwh.state_doses set population = population / 2");
        }).get("plausible_people_per_dose");
        assertEquals("pass", half.status(), half.detail());
        CheckResult small = checks(0, h -> {
            thousands.accept(h);
            h.execute("update dwh.state_doses set population = 1000");
        }).get("plausible_people_per_dose");
        assertTrue(!small.detail().contains("census resident a week"), small.detail());
    }

    @Test
    void generatedRatesInOtherUnitsWarnAndRealOnesDoNot() {
        Random random = new Random(20261202);
        double[] units = {1e-3, 1e-2, 10, 100, 1000};
        for (int round = 0; round < 6; round++) {
            // A real week's rate, 0.017 to 0.052, in other units; and a rate anywhere within the limits.
            double real = 0.017 + random.nextDouble() * 0.035;
            double unit = units[random.nextInt(units.length)];
            CheckResult off = checks(0, censusAllocatedAt(real * unit, 1)).get("plausible_people_per_dose");
            assertTrue(off.detail().contains(" doses per 2020 census resident a week, with their people the census's"),
                real + " x " + unit + ": " + off.detail());
            assertEquals("warn", off.status(), real + " x " + unit);
            double within = 0.0018 + random.nextDouble() * (0.2 - 0.0018);
            CheckResult in = checks(0, censusAllocatedAt(within, 1)).get("plausible_people_per_dose");
            assertEquals("pass", in.status(), within + ": " + in.detail());
        }
    }

    /** Vermont's rows in {@code weeks} of {@code manufacturer}'s source, 5 + 5 doses each. */
    private static void vermontIn(Handle h, String manufacturer, String... weeks) {
        for (String week : weeks) {
            allocate(h, manufacturer, "Vermont", week, 5, 5);
        }
    }

    @Test
    void aWeekOneAllocationSourceHasAndTheOtherLacksIsAWarning() {
        assertEquals(result("allocation_coverage", "warn", "pfizer has no row in 1 week that moderna has: 2021-01-11"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2021-01-04", "2021-01-11", "2021-01-18");
                vermontIn(h, "pfizer", "2021-01-04", "2021-01-18");
            }).get("allocation_coverage"));
        // A file of its last week alone beside a whole series: its week before is not excused.
        assertEquals(result("allocation_coverage", "warn",
                "moderna has no row in 2 weeks that pfizer has: 2021-01-04, 2021-01-11"),
            checks(10, h -> {
                vermontIn(h, "pfizer", "2021-01-04", "2021-01-11", "2021-01-18");
                vermontIn(h, "moderna", "2021-01-18");
            }).get("allocation_coverage"));
        // Both ways at once, past ten weeks: each source's missing weeks, the first ten named.
        assertEquals(result("allocation_coverage", "warn", "moderna has no row in 12 weeks that pfizer has: "
                + "2021-03-01, 2021-03-08, 2021-03-15, 2021-03-22, 2021-03-29, 2021-04-05, 2021-04-12, 2021-04-19, "
                + "2021-04-26, 2021-05-03 and 2 more; pfizer has no row in 2 weeks that moderna has: 2020-12-28, "
                + "2021-01-04"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2020-12-28", "2021-01-04", "2021-01-11", "2021-02-22");
                vermontIn(h, "pfizer", "2021-01-11", "2021-02-22");
                for (int week = 0; week < 12; week++) {
                    vermontIn(h, "pfizer", java.time.LocalDate.of(2021, 3, 1).plusWeeks(week).toString());
                }
            }).get("allocation_coverage"));
    }

    @Test
    void aStateOrCityOneAllocationSourceHasAndTheOtherLacksIsAWarning() {
        // Texas and Chicago left out of the whole Moderna file; Guam (a territory) is not compared.
        assertEquals(result("allocation_coverage", "warn",
                "moderna has no row for 2 states or cities that pfizer has: Chicago, Texas"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2021-01-04");
                vermontIn(h, "pfizer", "2021-01-04");
                allocate(h, "pfizer", "Texas", "2021-01-04", 5, 5);
                allocate(h, "pfizer", "Chicago", "2021-01-04", 5, 5);
                allocate(h, "pfizer", "Guam", "2021-01-04", 5, 5);
            }).get("allocation_coverage"));
    }

    @Test
    void pfizersFirstWeekBeforeModernasIsExpected() {
        // Pfizer's allocations began a week before Moderna's (2020-12-14, 2020-12-21).
        assertEquals(result("allocation_coverage", "pass", "moderna 2 weeks, 2020-12-21 to 2020-12-28; pfizer 3 weeks, "
                + "2020-12-14 to 2020-12-28: each has a row in every week of the other's, and for every state, DC "
                + "and city"),
            checks(10, h -> {
                vermontIn(h, "pfizer", "2020-12-14", "2020-12-21", "2020-12-28");
                vermontIn(h, "moderna", "2020-12-21", "2020-12-28");
            }).get("allocation_coverage"));
        assertEquals(result("allocation_coverage", "warn", "only one allocation source has rows: the other covers no week"),
            checks(10, h -> vermontIn(h, "pfizer", "2020-12-14")).get("allocation_coverage"));
    }

    @Test
    void modernaRowsBeforeModernasFirstAllocationsAreAWarning() {
        // The Pfizer file served as Moderna's: its first week, 2020-12-14, came before Moderna's vaccine.
        assertEquals(result("plausible_weeks", "warn", "1 week(s) before the manufacturer's first allocations (pfizer "
                + "2020-12-14, moderna 2020-12-21; are MODERNA_URL and PFIZER_URL exchanged?): 2020-12-14 (moderna 1 row)"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2020-12-14", "2020-12-21");
                vermontIn(h, "pfizer", "2020-12-21");
            }).get("plausible_weeks"));
        assertEquals(result("plausible_weeks", "warn", "2 week(s) before the manufacturer's first allocations (pfizer "
                + "2020-12-14, moderna 2020-12-21; are MODERNA_URL and PFIZER_URL exchanged?): 2020-12-07 (pfizer 1 "
                + "row); 2020-12-14 (moderna 1 row); 1 week(s) later than the week after the one the refresh runs in: "
                + "2031-06-23 (moderna 1 row)"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2020-12-14", "2031-06-23");
                vermontIn(h, "pfizer", "2020-12-07", "2020-12-14");
            }).get("plausible_weeks"));
    }

    @Test
    void aWeekAfterTheNextIsAWarningNamingItsRows() {
        // The week after the refresh's own may be announced ahead; one later may not.
        java.time.LocalDate monday = java.time.LocalDate.now(java.time.ZoneOffset.UTC)
            .with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
        assertEquals(result("plausible_weeks", "pass", "every week lies between its manufacturer's first allocations (pfizer 2020-12-14, moderna "
                    + "2020-12-21) and the week after the one the refresh runs in"),
            checks(10, h -> vermontIn(h, "moderna", "2021-01-04", monday.plusWeeks(1).toString()))
                .get("plausible_weeks"));
        assertEquals(result("plausible_weeks", "warn", "2 week(s) later than the week after the one the refresh runs in: "
                + "2031-06-23 (moderna 1 row, pfizer 1 row); 9999-12-27 (pfizer 1 row)"),
            checks(10, h -> {
                vermontIn(h, "moderna", "2021-01-04", "2031-06-23");
                vermontIn(h, "pfizer", "2021-01-04", "2031-06-23", "9999-12-27");
            }).get("plausible_weeks"));
    }
}
