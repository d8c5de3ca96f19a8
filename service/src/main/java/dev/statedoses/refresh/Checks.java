package dev.statedoses.refresh;

import dev.statedoses.refresh.CheckRows.Query;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import dev.statedoses.warehouse.Sql;
import dev.statedoses.warehouse.WarehouseException;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * Every check of a refresh, each a SQL file in {@code sql/checks/}, run inside the refresh's
 * transaction at three points of the transform:
 * <ul>
 * <li>{@link #sources}: after staging, before the build, the checks that need a source's rows all
 * at once ({@code checks/sources/}). A failure is a source error, as one found while reading would
 * be: the source, the line, the column (and the state) at fault; the first one fails the refresh.
 * The allocation files' are here, with {@link Manufacturers} (each file its maker's); the county
 * file's are {@link Counties}; {@link CheckRows} sends the queries every refresh runs ahead.
 * <li>{@link #build}: right after the build, that the weeks add up to the state rows
 * ({@code checks/build/}). Only a wrong transform fails it, as a failed build statement.
 * <li>{@link #product}: the data checks of the product, dbt-style ({@code checks/*.sql}), each
 * answering rows of (name, status, detail), recorded with the run. A fail rolls the refresh back.
 * </ul>
 */
final class Checks {

    private static final String CONFLICTING_ALLOCATIONS = Sql.load("checks/sources/conflicting_allocations.sql");
    private static final String MISSPELT_JURISDICTIONS = Sql.load("checks/sources/misspelt_jurisdictions.sql");
    private static final String RENAMED_JURISDICTIONS = Sql.load("checks/sources/renamed_jurisdictions.sql");
    private static final String TOTAL_ROWS = Sql.load("checks/sources/total_rows.sql");
    private static final String FIRST_LINE = Sql.load("checks/sources/first_line.sql");
    private static final String MISSING_PLACES = Sql.load("checks/sources/missing_places.sql");
    private static final String UNCOVERED_WEEKS = Sql.load("checks/sources/uncovered_weeks.sql");
    private static final String PLACES_MISSING_WEEKS = Sql.load("checks/sources/places_missing_weeks.sql");
    private static final String SAME_ALLOCATIONS = Sql.load("checks/sources/same_allocations.sql");
    private static final String OUTLYING_ALLOCATIONS = Sql.load("checks/sources/outlying_allocations.sql");
    private static final String OUTLYING_SHARES = Sql.load("checks/sources/outlying_shares.sql");
    private static final String LOST_WEEKS = Sql.load("checks/sources/lost_weeks.sql");
    private static final String ZERO_WEEKS = Sql.load("checks/sources/zero_weeks.sql");
    private static final String STATE_SHARES = Sql.load("checks/sources/state_shares.sql");
    private static final String SECOND_DOSES = Sql.load("checks/sources/second_doses.sql");
    private static final String ALLOCATION_SCALES = Sql.load("checks/sources/allocation_scales.sql");
    private static final String MANUFACTURER_SHARES = Sql.load("checks/sources/manufacturer_shares.sql");
    private static final String EXCLUDED_DOSES = Sql.load("checks/sources/excluded_doses.sql");
    private static final String WEEKS_ADD_UP = Sql.load("checks/build/weeks_add_up.sql");
    /** Whether a source gives a week two different values (the query naming the lines costs more). */
    private static final Query<Boolean> CONFLICTING_ROWS = flag("conflicting");
    /** Whether a source names a jurisdiction the reference does not know. */
    private static final Query<Boolean> UNKNOWN_NAMES = flag("kind is null");
    /** The data checks, in the order they run and are reported, sent as one batch: one round trip. */
    private static final String PRODUCT = Transform.script("checks/unique.sql", "checks/not_null.sql",
        "checks/accepted_values.sql", "checks/row_count.sql", "checks/reconciliation.sql", "checks/completeness.sql",
        "checks/allocation_coverage.sql", "checks/plausible_weeks.sql", "checks/plausible_people_per_dose.sql",
        "checks/plausible_population.sql", "checks/derived_values.sql");


    private final Function<SourceName, URI> urls;
    private final Manufacturers manufacturers;
    private final Counties counties;

    /**
     * The statements a check runs through JDBI, each only when something looks wrong (or, for the
     * full comparison of the two files, at many times the real size). The queries every refresh
     * runs go as one plain JDBC batch ({@link CheckRows}), and the build's and the product's
     * checks as plain JDBC too: JDBI parses none of them.
     */
    static List<String> statements() {
        return List.of(CONFLICTING_ALLOCATIONS, MISSPELT_JURISDICTIONS, RENAMED_JURISDICTIONS, FIRST_LINE,
            SAME_ALLOCATIONS);
    }

    Checks(Function<SourceName, URI> urls) {
        this.urls = urls;
        this.manufacturers = new Manufacturers(urls);
        this.counties = new Counties(urls);
    }

    /**
     * The checks of the sources, in order: the first that fails throws its source error.
     */
    void sources(Handle tx) {
        // Without JIT: the staged tables these checks read have no statistics, so the planner's
        // guessed costs (millions, for 55 rows of weeks) pass jit_above_cost, and the server spent
        // 0.64 s compiling the 0.1 ms uncovered-weeks query, and 1.4 s compiling a 0.4 s one at 300
        // times the real size. No check here gains from it. The build after them keeps JIT, whose
        // aggregates do gain at scale. A failed check rolls the refresh back, and the setting with it.
        tx.execute("set local jit = off");
        checkSources(tx);
        tx.execute("reset jit");
    }

    private void checkSources(Handle tx) {
        CheckRows rows = CheckRows.ahead(tx, ahead());
        sameAllocations(tx, rows).ifPresent(Checks::fail);
        // After the same rows: one file served for both says more than its weeks and packs do.
        manufacturers.exchanged(rows).ifPresent(Checks::fail);
        conflictingAllocations(tx, rows).ifPresent(Checks::fail);
        // Names the reference does not know are rare (none in the real files), and the checks of
        // them read the raw tables: a clean refresh pays for this one scan of run_allocations.
        if (rows.first(UNKNOWN_NAMES).orElseThrow()) {
            misspeltJurisdictions(tx).ifPresent(Checks::fail);
            // Before the renamed ones: a total is no state under a new name.
            totalRows(tx).ifPresent(Checks::fail);
            renamedJurisdictions(tx).ifPresent(Checks::fail);
        }
        // After the renamed ones: a state under a new name has no row either, and is better named so.
        rows.first(missingPlaces).ifPresent(Checks::fail);
        uncoveredWeeks(rows).ifPresent(Checks::fail);
        // Then the weeks both lack: a gap in the series, or a maker's first week.
        rows.first(lostWeeks).ifPresent(Checks::fail);
        // After the weeks the two files do not share: a week missing from one file entirely is
        // said so there, not as a hole in every place.
        rows.first(placesMissingWeeks).ifPresent(Checks::fail);
        // Then a place's weeks that are there, but written 0 among weeks of doses.
        rows.first(zeroWeeks).ifPresent(Checks::fail);
        // After the weeks lacking: a place's weeks are all there, and one of them is far off.
        rows.first(outlyingAllocations).ifPresent(Checks::fail);
        // Then a count a factor of ten off, against the place's usual share of its week.
        rows.first(outlyingShares).ifPresent(Checks::fail);
        // Then a state's whole file against its share by population: its weeks are each in line.
        rows.first(stateShares).ifPresent(Checks::fail);
        // Then a whole week, or a whole file, at another scale: every place in line with the others.
        rows.first(allocationScales).ifPresent(Checks::fail);
        // Then a place that counts for no state with all its counts at another scale: its weeks
        // in line with each other, and every week moved with them.
        rows.first(excludedDoses).ifPresent(Checks::fail);
        // Then a place's share of one file against its share of the other: each file in line with
        // the census, a place scaled in one file by less than those checks allow.
        rows.first(manufacturerShares).ifPresent(Checks::fail);
        // Last of the allocations': a place's second doses against its first, a column written 0
        // in some weeks (not both: zero_weeks). A cell's digits, a place's rows, a file's scale
        // move the ratio too, and are named better by the checks above.
        rows.first(secondDoses).ifPresent(Checks::fail);
        // Then the county file's.
        counties.first(rows).ifPresent(Checks::fail);
    }

    /**
     * The queries of the checks above that every refresh runs, sent ahead in one round trip
     * ({@link CheckRows}); the others run only when one of these finds something wrong.
     */
    private List<Query<?>> ahead() {
        List<Query<?>> queries = new ArrayList<>();
        queries.add(SAMPLED_ROWS);
        queries.addAll(manufacturers.queries());
        queries.addAll(List.of(CONFLICTING_ROWS, UNKNOWN_NAMES, missingPlaces, uncoveredWeeks, lostWeeks,
            placesMissingWeeks, zeroWeeks, outlyingAllocations, outlyingShares, stateShares,
            allocationScales, excludedDoses, manufacturerShares, secondDoses));
        queries.addAll(counties.queries());
        return queries;
    }

    /** Whether some staged allocation matches {@code condition}: one scan of run_allocations. */
    private static Query<Boolean> flag(String condition) {
        return new Query<>("select exists (select 1 from run_allocations where " + condition + ")",
            rs -> rs.getBoolean(1));
    }

    /** Where {@code source} was fetched from, for its error (a method: the checks' readers are field initialisers). */
    private URI url(SourceName source) {
        return urls.apply(source);
    }

    private static void fail(SourceException e) {
        throw e;
    }

    /** That the weeks add up to the state rows; a failure fails the build. */
    void build(Handle tx) {
        results(tx, WEEKS_ADD_UP, "building the product failed");
    }

    /** The data checks of the product just built, in order; the caller fails the refresh on a fail. */
    List<CheckResult> product(Handle tx) {
        return results(tx, PRODUCT, "running the data checks failed");
    }

    /** Runs {@code sql} in one round trip and answers the rows of (name, status, detail) it returns. */
    private static List<CheckResult> results(Handle tx, String sql, String failing) {
        List<CheckResult> results = new ArrayList<>();
        try (Statement statement = tx.getConnection().createStatement()) {
            for (boolean rows = statement.execute(sql); rows || statement.getUpdateCount() != -1;
                 rows = statement.getMoreResults()) {
                if (rows) {
                    try (ResultSet rs = statement.getResultSet()) {
                        while (rs.next()) {
                            results.add(CheckResult.read(rs));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new WarehouseException(failing, e);
        }
        return results;
    }

    /**
     * The two allocation sources holding the same rows, or many of the same (more than a quarter of the
     * smaller one's rows with doses, from {@link #MOSTLY_SAME_FROM} of them): each dose of those
     * would count for both manufacturers.
     */
    private Optional<SourceException> sameAllocations(Handle tx, CheckRows rows) {
        SharedRows shared = rows.first(SAMPLED_ROWS).orElseThrow();
        if (shared.sampled()) {
            // A sample of the weeks, evenly spread: a real pair stops here; a copy, or one that
            // looks like one, is compared week by week in full (the figures the message gives).
            if (!shared.same() && shared.commonDosed() * 8 <= shared.fewerDosed()) {
                return Optional.empty();
            }
            shared = sharedRows(tx, Integer.MAX_VALUE);
        }
        boolean same = shared.same();
        long dosed = shared.fewerDosed();
        if (!same && (dosed < MOSTLY_SAME_FROM || shared.commonDosed() * 4 <= dosed)) {
            return Optional.empty();
        }
        String urlsGiven = " (MODERNA_URL " + Redaction.url(url(SourceName.MODERNA)) + ", PFIZER_URL "
            + Redaction.url(url(SourceName.PFIZER)) + "): ";
        return Optional.of(SourceException.content(SourceName.PFIZER, url(SourceName.PFIZER), null, null, same
            ? "the moderna and pfizer sources hold the same " + shared.moderna() + " rows" + urlsGiven + "does one "
                + "URL point at the other's file? Every dose would be counted twice, once per manufacturer"
            : "the moderna and pfizer sources share " + shared.commonDosed() + " of their rows with doses ("
                + shared.modernaDosed() + " in moderna, " + shared.pfizerDosed() + " in pfizer)" + urlsGiven
                + "does one URL point at the other's file, edited? Real files share few rows; the doses of the "
                + "common ones would be counted twice, once per manufacturer"));
    }

    /**
     * Mostly the same rows are judged from this many rows with doses in the smaller file: a real
     * file has over a thousand, and a small hand-written pair may well give both manufacturers the
     * same counts in most rows (the very same rows always fail).
     */
    private static final long MOSTLY_SAME_FROM = 100;

    /**
     * The weeks the first comparison of the two allocation files looks at, at most: every week of
     * any real pair (the real files have 28), and about this many of them, picked by a hash, at
     * many times that size (bench/growth.sh's 300 times has 8,400). The sample trips at an eighth
     * of the rows with doses in common, half the quarter that fails, so that the weeks it happens
     * to pick never hide a copy just over a quarter.
     */
    private static final int COMPARED_WEEKS = 1000;

    /** The first comparison of the two allocation files: at most COMPARED_WEEKS of their weeks. */
    private static final Query<SharedRows> SAMPLED_ROWS = new Query<>(
        SAME_ALLOCATIONS.replace(":weeks", Integer.toString(COMPARED_WEEKS)), Checks::sharedRows);

    private static SharedRows sharedRows(Handle tx, int weeks) {
        return tx.createQuery(SAME_ALLOCATIONS).bind("weeks", weeks).map((rs, ctx) -> sharedRows(rs)).one();
    }

    private static SharedRows sharedRows(ResultSet rs) throws SQLException {
        return new SharedRows(rs.getLong("moderna"), rs.getLong("pfizer"), rs.getLong("common"),
            rs.getLong("moderna_dosed"), rs.getLong("pfizer_dosed"), rs.getLong("common_dosed"),
            rs.getBoolean("sampled"));
    }

    /**
     * What sql/checks/sources/same_allocations.sql counts: rows of each source, and in common; all,
     * and with doses; and whether it looked at a sample of the weeks.
     */
    private record SharedRows(long moderna, long pfizer, long common, long modernaDosed, long pfizerDosed,
                              long commonDosed, boolean sampled) {

        /** Every row of each is the other's too. */
        boolean same() {
            return moderna > 0 && common == moderna && common == pfizer;
        }

        /** The rows with doses of the source that has fewer. */
        long fewerDosed() {
            return Math.min(modernaDosed, pfizerDosed);
        }
    }

    /** A week a source lists twice with different values. */
    private Optional<SourceException> conflictingAllocations(Handle tx, CheckRows rows) {
        // The query that names the lines sorts the raw rows (200 ms at 30 times the real size).
        if (!rows.first(CONFLICTING_ROWS).orElseThrow()) {
            return Optional.empty();
        }
        return tx.createQuery(CONFLICTING_ALLOCATIONS).map((rs, ctx) -> {
            SourceName source = SourceName.of(rs.getString("source"));
            long firstLine = rs.getLong("first_line");
            long otherLine = rs.getLong("other_line");
            return SourceException.content(source, url(source), otherLine, null,
                name(rs.getString("jurisdiction")) + " has two different allocations for the week of "
                    + rs.getObject("week_of_allocations", LocalDate.class)
                    + " (lines " + firstLine + " and " + otherLine + ")");
        }).findFirst();
    }

    /**
     * Allocations under another spelling of a known jurisdiction (another case, punctuation, an
     * invisible or non-breaking space): a state's or counted city's doses would be missing from
     * the state's row; another's, given under both names in a week, would count twice.
     */
    private Optional<SourceException> misspeltJurisdictions(Handle tx) {
        return tx.createQuery(MISSPELT_JURISDICTIONS).map((rs, ctx) -> {
            SourceName source = SourceName.of(rs.getString("source"));
            String meant = rs.getString("meant");
            String state = rs.getString("state");
            long weeks = rs.getLong("weeks");
            String written = "the jurisdiction '" + name(rs.getString("jurisdiction")) + "' is " + name(meant)
                + " written another way (case, spacing, punctuation or invisible characters), so its " + weeks + " "
                + (weeks == 1 ? "week" : "weeks") + " (" + rs.getLong("doses") + " doses) would ";
            if (state == null) {
                // Not a state's: its doses count for none either way, but these would count twice.
                long twice = rs.getLong("weeks_twice");
                return SourceException.content(source, url(source), rs.getLong("first_line"), "jurisdiction",
                    written + "be reported as an unknown jurisdiction's, beside " + name(meant) + "'s own rows, which "
                        + "the source also gives for " + (twice == weeks ? (weeks == 1 ? "that week" : "all of those weeks")
                        : twice + " of them") + ": counted twice among the exclusions");
            }
            return SourceException.content(source, url(source), rs.getLong("first_line"), "jurisdiction",
                written + "count for no state" + (meant.equals(state) ? "" : " (they count for " + name(state) + ")"))
                .aboutState(state);
        }).findFirst();
    }

    /**
     * A row that totals the file (by its name, or by holding the sum of its week's other rows)
     * rather than allocates: its doses would count twice among the exclusions.
     */
    private Optional<SourceException> totalRows(Handle tx) {
        return tx.createQuery(TOTAL_ROWS).map((rs, ctx) -> {
            SourceName source = SourceName.of(rs.getString("source"));
            long weeks = rs.getLong("weeks");
            LocalDate summed = rs.getObject("summed_week", LocalDate.class);
            String why = summed != null
                ? "its counts in the week of " + summed + " are those of the week's other rows together"
                : "its name says so";
            return SourceException.content(source, url(source), rs.getLong("first_line"), "jurisdiction",
                "the jurisdiction '" + name(rs.getString("jurisdiction")) + "' is a total of the file, not a "
                    + "jurisdiction (" + why + "): its " + weeks + (weeks == 1 ? " week" : " weeks") + " ("
                    + rs.getLong("doses") + " doses) would count every dose of "
                    + (weeks == 1 ? "that week" : "those weeks") + " a second time, among the exclusions and the "
                    + "doses in the sources. Leave totals out of the file.");
        }).findFirst();
    }

    /**
     * Allocations under a name like no other where a state (DC, a counted city) has no row: the
     * state under a new name, whose doses would count for no state while its row is published
     * short of them. What counts as evidence is in the SQL file.
     */
    private Optional<SourceException> renamedJurisdictions(Handle tx) {
        List<RenamePair> pairs = tx.createQuery(RENAMED_JURISDICTIONS).map((rs, ctx) -> new RenamePair(
                SourceName.of(rs.getString("source")), rs.getString("jurisdiction"), rs.getLong("weeks"),
                rs.getLong("doses"), rs.getObject("first_week", LocalDate.class),
                rs.getObject("last_week", LocalDate.class), rs.getString("missing"), rs.getString("state"),
                rs.getString("state_code"), rs.getBoolean("partway"), rs.getLong("shared_weeks"), rs.getLong("named"),
                rs.getLong("names"), rs.getObject("distance", Double.class)))
            .list();
        if (pairs.isEmpty()) {
            return Optional.empty();
        }
        List<RenamePair> matched = RenamePair.match(pairs);
        RenamePair first = matched.get(0);
        long line = tx.createQuery(FIRST_LINE).bind("source", first.source().label())
            .bind("jurisdiction", first.name()).mapTo(Long.class).one();
        String span = first.weeks() == 1 ? "the week it appears in (" + first.firstWeek() + ")"
            : "the " + first.weeks() + " weeks it appears in (" + first.firstWeek() + " to " + first.lastWeek() + ")";
        String evidence = !first.partway()
            ? name(first.missing()) + " has no row in the source at all, which names " + first.named() + " of the "
                + first.names() + " states, DC and counted cities"
            : name(first.missing()) + " has rows in the source's other weeks but "
                + (first.sharedWeeks() == 0 ? "none in " : "a row only in the first of ") + span;
        String more = "";
        if (matched.size() > 1) {
            List<String> others = matched.subList(1, Math.min(matched.size(), 6)).stream()
                .map(p -> p.source().label() + " '" + name(p.name()) + "' for " + name(p.missing())).toList();
            more = " (" + (matched.size() - 1) + " more such " + (matched.size() == 2 ? "name: " : "names: ")
                + String.join(", ", others) + (matched.size() > 6 ? ", ..." : "") + ")";
        }
        return Optional.of(SourceException.content(first.source(), url(first.source()), line, "jurisdiction",
                "the jurisdiction '" + name(first.name()) + "' is not in dwh.jurisdictions, and " + evidence
                    + ": is it " + name(first.missing()) + " under a new name? Its " + first.doses() + " doses would "
                    + "count for no state and " + name(first.state()) + " would be published short of them. If it is "
                    + "a new jurisdiction, add it to dwh.jurisdictions" + more)
            .aboutState(first.state()));
    }

    /** A state, DC or counted city with no row at all in a national allocation file, or in any file beside one. */
    private final Query<SourceException> missingPlaces = new Query<>(MISSING_PLACES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("name");
        String state = rs.getString("state");
        long otherRows = rs.getLong("other_rows");
        long more = rs.getLong("missing") - 1;
        String others = rs.getString("others");
        String other = otherAllocations(source);
        return SourceException.content(source, url(source), null, "jurisdiction",
            name(place) + " has no row in the " + source.label() + " source, which names " + rs.getLong("places")
                + " of the " + rs.getLong("all_places") + " states, DC and counted cities"
                + (otherRows > 0 ? ", though the " + other + " source has " + otherRows
                    + (otherRows == 1 ? " row" : " rows") + " of it" : ", nor in the " + other + " source")
                + (more > 0 ? " (" + more + " more missing: " + Printable.name(others, 300)
                    + (more > 10 ? ", ..." : "") + ")" : "")
                + ": " + name(state) + " would be published short of "
                + (place.equals(state) ? "its" : "the city's")
                + " doses. Is the file part of the national one?"
                + withoutZeroRows(source, rs, "the places it lacks were allocated none"))
            .aboutState(state);
    });

    /**
     * A file without a single row of 0 doses beside one with them may have left its rows of 0
     * out: the weeks or places it lacks then held none. The service cannot tell that from lines
     * lost with doses in them, but the reader can, and is told what would load.
     */
    private static String withoutZeroRows(SourceName source, ResultSet rs, String lacked) throws SQLException {
        long otherZeroRows = rs.getLong("other_zero_rows");
        if (rs.getLong("zero_rows") > 0 || otherZeroRows == 0) {
            return "";
        }
        return " The " + source.label() + " source has no row of 0 doses, where the " + otherAllocations(source)
            + " source has " + otherZeroRows + ": if the file leaves its rows of 0 out, " + lacked + ", but "
            + "the service cannot tell that from lines lost with doses in them; serve the file with its rows of 0.";
    }

    /** Weeks one national allocation file has doses in and the other has none (named for each that lacks some). */
    private Optional<SourceException> uncoveredWeeks(CheckRows rows) {
        List<Uncovered> lacks = rows.list(uncoveredWeeks);
        if (lacks.isEmpty()) {
            return Optional.empty();
        }
        Uncovered stray = lacks.stream().filter(u -> u.strayLine() != null).findFirst().orElse(null);
        if (stray != null) {
            // A week of the other file's own, held by a few of its rows: those rows' dates are wrong.
            SourceName source = stray.having();
            return Optional.of(SourceException.content(source, url(source), stray.strayLine(), "week_of_allocations",
                stray.strayWeeks()));
        }
        SourceName first = lacks.get(0).lacking();
        return Optional.of(SourceException.content(first, url(first), null, "week_of_allocations",
            String.join("; ", lacks.stream().map(Uncovered::weeks).toList()) + ", though both are national files: "
                + "every state would be published short of " + (lacks.size() > 1 ? "those weeks' doses" : "those doses")
                + ". Is one file cut short, or older than the other?"));
    }

    private final Query<Uncovered> uncoveredWeeks = new Query<>(UNCOVERED_WEEKS, rs -> {
        SourceName source = SourceName.of(rs.getString("lacking"));
        SourceName having = SourceName.of(rs.getString("source"));
        long weeks = rs.getLong("weeks");
        String listed = rs.getString("first_ten") + (weeks > 10 ? " and " + (weeks - 10) + " more" : "");
        Long strayLine = rs.getBoolean("stray") ? (Long) rs.getObject("first_line", Long.class) : null;
        long places = rs.getLong("places");
        String stray = strayLine == null ? null
            : "the " + having.label() + " source has doses in "
                + (weeks == 1 ? "the week of " + listed + " from " + places + (places == 1 ? " place" : " places")
                    + " only (" : weeks + " weeks (" + listed + ") that few of its places have (the first from " + places
                    + (places == 1 ? " place: " : " places: "))
                + name(rs.getString("first_place")) + ", line " + strayLine + "), where its fullest week has "
                + rs.getLong("usual") + ", and the " + source.label() + " source has no doses in "
                + (weeks == 1 ? "that week" : "those weeks") + ": are those rows dated wrong (a year, a month "
                + "mistyped)? Their doses would count in " + (weeks == 1 ? "a week" : "weeks")
                + " of their own, and be missing from the week they belong to.";
        return new Uncovered(source, having, "the " + source.label() + " source has no doses (no row, or rows of 0 only) in "
            + weeks + (weeks == 1 ? " week" : " weeks") + " that the " + having.label() + " source has doses in ("
            + listed + ")", strayLine, stray);
    });

    /**
     * A week no allocation file has between the national files' first and last, or a national
     * file's first week of its maker's allocations lost while it has the week after.
     */
    private final Query<SourceException> lostWeeks = new Query<>(LOST_WEEKS, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        LocalDate week = rs.getObject("week", LocalDate.class);
        if (rs.getString("fault").equals("first_week") && rs.getBoolean("no_doses")) {
            return SourceException.content(source, url(source), null, "_1st_dose_allocations",
                "the " + source.label() + " source has no doses in any of its weeks (every count is 0), its first "
                    + "week of allocations, " + week + ", included: every state would be published without "
                    + source.label() + " doses. Were its counts lost?");
        }
        if (rs.getString("fault").equals("first_week")) {
            return SourceException.content(source, url(source), null, "week_of_allocations",
                "the " + source.label() + " source has no doses (no row, or rows of 0 only) in the week of " + week
                    + ", the first week of " + source.label() + " allocations, though it has the week after: every "
                    + "state would be published short of that week's doses. Is the file cut short?");
        }
        long weeks = rs.getLong("weeks");
        return SourceException.content(source, url(source), null, "week_of_allocations",
            "no allocation source has doses in " + (weeks == 1 ? "the week of " + week : weeks + " weeks ("
                + rs.getString("first_ten") + (weeks > 10 ? " and " + (weeks - 10) + " more" : "") + ")")
                + " (no row, or rows of 0 only), though the national files run from "
                + rs.getObject("first_week", LocalDate.class) + " to " + rs.getObject("last_week", LocalDate.class)
                + ", week after week: every state would be published short of "
                + (weeks == 1 ? "that week's" : "those weeks'") + " doses. Were weeks lost from both files?");
    });

    /**
     * A state, DC or counted city with weeks of no doses in a national allocation file that gives
     * it doses in three weeks in four or more, weeks the other file gives it doses in: values
     * lost, written 0.
     */
    private final Query<SourceException> zeroWeeks = new Query<>(ZERO_WEEKS, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("jurisdiction");
        String state = rs.getString("state");
        long zero = rs.getLong("zero_weeks");
        long weeks = rs.getLong("weeks");
        long dosed = rs.getLong("dosed_weeks");
        long places = rs.getLong("places");
        String other = otherAllocations(source);
        return SourceException.content(source, url(source), rs.getLong("line"), "_1st_dose_allocations",
            name(place) + " has no doses (0 and 0) in " + zero + " of its " + weeks + " weeks in the " + source.label()
                + " source (" + rs.getString("first_ten") + (zero > 10 ? " and " + (zero - 10) + " more" : "")
                + "), weeks the " + other + " source gives it doses in, though it has doses in "
                + (dosed == weeks - zero ? "the other " + dosed : dosed + " of the others")
                + (places > 1 ? " (" + (places - 1) + " more places have such weeks)" : "") + ": " + name(state)
                + " would be published short of " + (zero == 1 ? "that week's" : "those weeks'")
                + " doses. Were values lost written 0?")
            .aboutState(state);
    });

    /** A source's lack of weeks the other has; for stray weeks of the other, its first line there and their words. */
    private record Uncovered(SourceName lacking, SourceName having, String weeks, Long strayLine, String strayWeeks) {
    }

    /**
     * A state, DC or counted city without rows in some weeks of a national allocation file (but
     * the week of its last line, where a cut file stops): published short of those weeks' doses.
     */
    private final Query<SourceException> placesMissingWeeks = new Query<>(PLACES_MISSING_WEEKS, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("name");
        String state = rs.getString("state");
        long missing = rs.getLong("missing");
        long places = rs.getLong("places");
        LocalDate first = rs.getObject("first_week", LocalDate.class);
        LocalDate last = rs.getObject("last_week", LocalDate.class);
        LocalDate lastLine = rs.getObject("last_line_week", LocalDate.class);
        String lacked = rs.getString("first_ten");
        // One end week short, which is not the week the file ends in: the lake's cut file (or one
        // cut by a download) with its rows put in another order after the cut looks so.
        boolean reordered = missing == 1 && lastLine != null && (lacked.equals(first.toString())
            || lacked.equals(last.toString())) && !lacked.equals(lastLine.toString());
        return SourceException.content(source, url(source), null, "week_of_allocations",
            name(place) + " has no row in " + missing + " of the " + rs.getLong("weeks") + " weeks of the "
                + source.label() + " source (" + first + " to " + last + "): " + lacked
                + (missing > 10 ? " and " + (missing - 10) + " more" : "")
                + (places > 1 ? " (" + (places - 1) + " more places lack weeks)" : "")
                + ": " + name(state) + " would be published short of " + (place.equals(state) ? "its" : "the city's")
                + " doses in those weeks. Were lines of the file lost?"
                + withoutZeroRows(source, rs, "those weeks held none")
                + (reordered ? " A file cut short may lack places only in the week of its last line (here "
                    + lastLine + "), where it stops; one whose rows were put in another order after the cut "
                    + "cannot be told from one that lost lines: serve it in the order it was cut in." : ""))
            .aboutState(state);
    });

    /**
     * A place's first or second doses in one week more than 20 times the average of its other
     * weeks: digits too many in one cell, which no total or comparison between states shows.
     */
    private final Query<SourceException> outlyingAllocations = new Query<>(OUTLYING_ALLOCATIONS, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("jurisdiction");
        String state = rs.getString("state");
        String dose = rs.getString("dose");
        long others = rs.getLong("places") - 1;
        boolean counted = countsForAState(rs.getString("kind"));
        SourceException e = SourceException.content(source, url(source), rs.getLong("line"),
            doseColumn(dose),
            name(place) + " has " + rs.getLong("doses") + " " + dose + " doses in the week of "
                + rs.getObject("week", LocalDate.class) + ", " + rs.getBigDecimal("times").toPlainString()
                + " times the average of its " + rs.getLong("other_weeks") + " other weeks with " + dose
                + " doses in the " + source.label() + " source (" + rs.getLong("usual") + ")"
                + moreCounts(others)
                + ": digits too many? " + publishedWith(counted, state));
        return counted ? e.aboutState(state) : e;
    });

    /** The kinds of jurisdiction whose doses count for a state of the product (a city's for its state). */
    private static final Set<String> STATE_KINDS = Set.of("state", "district", "city");

    /** Whether a jurisdiction of {@code kind} counts for a state; false for a name the reference does not know (null). */
    private static boolean countsForAState(String kind) {
        return kind != null && STATE_KINDS.contains(kind);
    }

    /** Where a wrong count of a place would end up: in its state's row, or among the report's exclusions. */
    private static String publishedWith(boolean counted, String state) {
        return counted ? name(state) + " would be published with them."
            : "They count for no state, but the refresh's report would give them among its exclusions and in its "
                + "totals of doses.";
    }

    private final Query<SourceException> outlyingShares = new Query<>(OUTLYING_SHARES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("jurisdiction");
        String state = rs.getString("state");
        String dose = rs.getString("dose");
        double times = rs.getDouble("times");
        long others = rs.getLong("counts") - 1;
        String factor = times >= 1
            ? String.format(Locale.ROOT, "%.1f times", times)
            : String.format(Locale.ROOT, "1/%.1f of", 1 / times);
        return SourceException.content(source, url(source), rs.getLong("line"),
            doseColumn(dose),
            name(place) + " has " + rs.getLong("doses") + " " + dose + " doses in the week of "
                + rs.getObject("week", LocalDate.class) + " in the " + source.label() + " source, " + factor
                + " its usual share of that week's " + dose + " doses (" + rs.getLong("usual")
                + " at its usual share, judged from its " + rs.getLong("other_weeks") + " other weeks with " + dose
                + " doses)"
                + moreCounts(others)
                + ": a digit too " + (times >= 1 ? "many" : "few") + "? " + name(state)
                + " would be published with it.")
            .aboutState(state);
    });

    /**
     * A place's second doses over a national file far from its first: a column lost, written 0 in
     * some weeks or throughout.
     */
    private final Query<SourceException> secondDoses = new Query<>(SECOND_DOSES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("name");
        String state = rs.getString("state");
        long first = rs.getLong("first_doses");
        long second = rs.getLong("second_doses");
        long others = rs.getLong("places") - 1;
        return SourceException.content(source, url(source), null, "_2nd_dose_allocations",
            "the " + source.label() + " source allocates " + name(place) + " " + second + " second doses for "
                + first + " first doses"
                + (first > 0 ? " (" + rs.getBigDecimal("ratio").toPlainString() + " times)" : "")
                + (others > 0 ? " (and " + others + " more places are so)" : "")
                + ", though both vaccines are given in two doses, allocated together (the real files: 0.95 to "
                + "1.0 times for every state, DC and counted city): a column lost, or written 0 in some weeks? "
                + name(state) + " would be published with them.")
            .aboutState(state);
    });

    /**
     * A state's doses over a whole national file far from its share by population, in a file whose
     * states follow the census: another jurisdiction's rows under its name, or its rows lost.
     */
    private final Query<SourceException> stateShares = new Query<>(STATE_SHARES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String state = rs.getString("state");
        long others = rs.getLong("off_states") - 1;
        return SourceException.content(source, url(source), null, "jurisdiction",
            "the " + source.label() + " source allocates " + state + " " + rs.getLong("doses") + " doses over its "
                + rs.getLong("weeks") + " weeks, " + rs.getBigDecimal("ratio").toPlainString() + " times its share by "
                + "population (" + rs.getLong("expected") + ": the median state's doses per 2020 census resident "
                + "and week, times " + state + "'s residents and weeks), though " + rs.getLong("within") + " of its " + rs.getLong("file_states")
                + " states are within 0.8 and 1.25 times theirs"
                + (others > 0 ? " (and " + others + " more, in this file or the other)" : "")
                + ": another jurisdiction's rows under its name, or its rows lost? " + state
                + " would be published with them.")
            .aboutState(state);
    });

    /** A national file's week, or the whole file, at another scale than the rest (ten times over, in vials). */
    private final Query<SourceException> allocationScales = new Query<>(ALLOCATION_SCALES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        if (rs.getString("fault").equals("file")) {
            return SourceException.content(source, url(source), null, "_1st_dose_allocations",
                "the " + source.label() + " source allocates " + rs.getBigDecimal("rate").toPlainString()
                    + " doses per 2020 census resident a week, " + rs.getBigDecimal("times").toPlainString()
                    + " times the " + rs.getString("other") + " source's "
                    + rs.getBigDecimal("other_rate").toPlainString() + " (the real files: 0.018 to 0.027): are its "
                    + "counts in other units (vials, thousands)? Every state would be published with them.");
        }
        long weeks = rs.getLong("weeks");
        String place = rs.getString("jurisdiction");
        if (place != null) {
            // One row makes the week: the week without it is in line.
            boolean counted = countsForAState(rs.getString("kind"));
            String dose = rs.getString("dose");
            SourceException e = SourceException.content(source, url(source), rs.getLong("line"), doseColumn(dose),
                name(place) + " has " + rs.getLong("row_doses") + " " + dose + " doses in the week of "
                    + rs.getObject("week", LocalDate.class) + ", which put the week's doses in the " + source.label()
                    + " source at " + rs.getLong("doses") + ", " + rs.getBigDecimal("times").toPlainString()
                    + " times the file's median week (" + rs.getLong("median") + "); without its row the week is "
                    + rs.getBigDecimal("times_without").toPlainString() + " times it"
                    + (weeks > 1 ? " (" + (weeks - 1) + " more " + (weeks == 2 ? "week is" : "weeks are")
                        + " far from the median)" : "")
                    + ": digits too many? " + publishedWith(counted, rs.getString("state")));
            return counted ? e.aboutState(rs.getString("state")) : e;
        }
        return SourceException.content(source, url(source), null, "week_of_allocations",
            "the week of " + rs.getObject("week", LocalDate.class) + " of the " + source.label() + " source allocates "
                + rs.getLong("doses") + " doses, " + rs.getBigDecimal("times").toPlainString() + " times the file's "
                + "median week (" + rs.getLong("median") + ")"
                + (weeks > 1 ? " (" + (weeks - 1) + " more such " + (weeks == 2 ? "week" : "weeks") + ")" : "")
                + ": is every count of that week at another scale? Every state would be published with them.");
    });

    /**
     * A place that counts for no state with doses over a national file at a scale no such place
     * has: a territory over 5 times the states' doses per resident, another place over the state
     * with the most. The report's exclusions and totals would give them.
     */
    private final Query<SourceException> excludedDoses = new Query<>(EXCLUDED_DOSES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = name(rs.getString("jurisdiction"));
        long places = rs.getLong("places");
        boolean territory = rs.getObject("people") != null;
        String scale = territory
            ? rs.getBigDecimal("rate").toPlainString() + " per 2020 census resident (" + rs.getLong("people") + "), "
                + rs.getBigDecimal("times").toPlainString() + " times the median state's ("
                + rs.getBigDecimal("state_rate").toPlainString() + ")"
            : rs.getBigDecimal("times").toPlainString() + " times the doses of " + name(rs.getString("largest_state"))
                + ", the state with the most (" + rs.getLong("largest_doses") + ")";
        return SourceException.content(source, url(source), rs.getLong("line"), "jurisdiction",
            place + " has " + rs.getLong("doses") + " doses in the " + source.label() + " source, " + scale
                + (places > 1 ? " (" + (places - 1) + " more " + (places == 2 ? "place is" : "places are") + " so)" : "")
                + ": are all its counts written with digits too many? " + publishedWith(false, null));
    });

    /**
     * A place's share of one national file's doses far from its share of the other's: its series
     * of one file scaled, or another jurisdiction's rows added to its own, in that file only.
     */
    private final Query<SourceException> manufacturerShares = new Query<>(MANUFACTURER_SHARES, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        String place = rs.getString("jurisdiction");
        String state = rs.getString("state");
        long others = rs.getLong("off_places") - 1;
        return SourceException.content(source, url(source), null, "jurisdiction",
            name(place) + "'s share of the pfizer source's doses (" + rs.getLong("pfizer") + ", "
                + rs.getBigDecimal("pfizer_percent").toPlainString() + "%) is " + rs.getBigDecimal("times").toPlainString()
                + " times its share of the moderna source's (" + rs.getLong("moderna") + ", "
                + rs.getBigDecimal("moderna_percent").toPlainString() + "%) over the " + rs.getLong("weeks")
                + " weeks it has in both, against the median place's, though " + rs.getLong("within") + " of the "
                + rs.getLong("places") + " places are within 0.8 and 1.25 times it"
                + (others > 0 ? " (and " + others + " more " + (others == 1 ? "place" : "places") + ")" : "")
                + ": its counts scaled, or another jurisdiction's rows with its own, in the " + source.label()
                + " source (the one further from its census share)? " + name(state) + " would be published with them.")
            .aboutState(state);
    });

    /** The label of the other allocation source than {@code source}: pfizer for moderna, and back. */
    private static String otherAllocations(SourceName source) {
        return (source == SourceName.MODERNA ? SourceName.PFIZER : SourceName.MODERNA).label();
    }

    /** The column of a source that holds {@code dose} ("first" or "second") doses. */
    private static String doseColumn(String dose) {
        return dose.equals("first") ? "_1st_dose_allocations" : "_2nd_dose_allocations";
    }

    /** How many more counts a check found at fault, in words; nothing for none. */
    private static String moreCounts(long others) {
        return others > 0 ? " (" + others + " more such " + (others == 1 ? "count" : "counts") + " elsewhere)" : "";
    }

    /** A name from a source, in a message. */
    private static String name(String text) {
        return Printable.name(text, 60);
    }
}
