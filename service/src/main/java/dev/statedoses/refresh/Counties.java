package dev.statedoses.refresh;

import dev.statedoses.refresh.CheckRows.Query;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import dev.statedoses.warehouse.Sql;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The source checks of the county file, each a source check of {@link Checks#sources}, run after
 * the allocation files' and in this order (the first that fails fails the refresh): a line whose
 * Id and Id2 disagree, lines that count people the file's counties already count, a county listed
 * twice with different values, a county written two ways, counties under a State the reference
 * does not know, counties under another State than their code's, lines whose ids do not read as a
 * county's, a code the Census retired beside the code that replaced it, states whose counties add
 * up to no people or too many, and, in a county file of the whole country, states far off their
 * census count and counties lost from the gaps in the codes.
 */
final class Counties {

    private static final String COUNTED_TWICE = Sql.load("checks/sources/counties_counted_twice.sql");
    private static final String CONFLICTING_COUNTIES = Sql.load("checks/sources/conflicting_counties.sql");
    private static final String WRITTEN_TWICE = Sql.load("checks/sources/counties_written_twice.sql");
    private static final String UNPLACED_COUNTIES = Sql.load("checks/sources/unplaced_counties.sql");
    private static final String UNDER_ANOTHER_STATE = Sql.load("checks/sources/counties_under_another_state.sql");
    private static final String TWO_CODES = Sql.load("checks/sources/counties_with_two_codes.sql");
    private static final String WITHOUT_A_CODE = Sql.load("checks/sources/counties_without_a_code.sql");
    private static final String OFF_THEIR_CENSUS = Sql.load("checks/sources/states_off_their_census.sql");
    private static final String LOST_COUNTIES = Sql.load("checks/sources/lost_counties.sql");
    private static final String RETIRED_COUNTIES = Sql.load("checks/sources/retired_counties.sql");
    private static final String STATE_POPULATIONS = Sql.load("checks/sources/implausible_state_populations.sql");
    private static final Query<StatePopulation> STATE_POPULATION_ROWS = new Query<>(STATE_POPULATIONS,
        rs -> new StatePopulation(rs.getString("state"), rs.getLong("counties"), rs.getObject("first_line", Long.class),
            rs.getLong("population")));

    /** More people than any state could hold: the whole United States has a third of this. */
    private static final long MOST_PEOPLE = 1_000_000_000L;
    private static final String POPULATION_COLUMN = "Population Estimate 2018";

    private final Function<SourceName, URI> urls;

    Counties(Function<SourceName, URI> urls) {
        this.urls = urls;
    }

    /** Where the county file was fetched from, for its errors (a method: the readers are field initialisers). */
    private URI url() {
        return urls.apply(SourceName.POPULATION);
    }

    /** The queries of these checks, which every refresh runs (sent ahead by Checks, CheckRows). */
    List<Query<?>> queries() {
        return List.of(twoCodes, countedTwice, conflictingCounties, writtenTwice, unplacedCounties, underAnotherState,
            withoutACode, retiredCounties, STATE_POPULATION_ROWS, offTheirCensus, lostCounties);
    }

    /** The first fault of the county file, if any, in the order of the checks. */
    Optional<SourceException> first(CheckRows rows) {
        // A line whose own two codes disagree first: its values were exchanged or damaged, and
        // whatever else looks wrong about it follows from that.
        // Summary rows before the conflicting counties (a state's total row has the key of a
        // county named like its state) and the unplaced ones (the nation's total row is under no
        // state): each is better reported as the summary row it is.
        return rows.first(twoCodes)
            .or(() -> rows.first(countedTwice))
            .or(() -> rows.first(conflictingCounties))
            // After both: a code, or one spelling with two populations, says more than the letters.
            .or(() -> rows.first(writtenTwice))
            // Before the state totals: a state whose counties are all under another spelling would
            // otherwise be reported as having none, without the line and the spelling at fault...
            .or(() -> rows.first(unplacedCounties))
            // ...and two states' counties exchanged are better reported by a line than as a state
            // twice its census count (or not at all, for states of a size).
            .or(() -> rows.first(underAnotherState))
            // After the summary rows and state codes, a county written twice and an unknown State,
            // which each say more of such a line: any other line whose ids do not read as a
            // county's, in a file whose lines do.
            .or(() -> rows.first(withoutACode))
            // Before the state totals: Connecticut's counties beside its planning regions would
            // otherwise be told as a state twice its census count, without the two codes.
            .or(() -> rows.first(retiredCounties))
            .or(() -> implausibleStatePopulations(rows))
            // Then a state with counties and people, but far fewer or more than it has: a file cut
            // inside a state, or many counties lost, is better named by its state's count...
            .or(() -> rows.first(offTheirCensus))
            // ...than by the first gap in its codes, which sees one county lost of any size.
            .or(() -> rows.first(lostCounties));
    }

    /** One county under two spellings of its name (case, spacing, accents, a word such as County). */
    private final Query<SourceException> writtenTwice = new Query<>(WRITTEN_TWICE, rs -> {
        String state = rs.getString("state");
        SourceException e = SourceException.content(SourceName.POPULATION, url(),
            rs.getLong("line"), "County", name(rs.getString("county")) + ", " + name(state)
                + " is the county '" + name(rs.getString("first_county")) + "' (line " + rs.getLong("first_line")
                + ") written another way (case, spacing, accents, punctuation, invisible characters or a word "
                + "such as County): its people would be counted twice");
        String productState = rs.getString("product_state");
        return productState == null ? e : e.aboutState(productState);
    });

    /** A county listed twice with different populations, or under two county codes. */
    private final Query<SourceException> conflictingCounties = new Query<>(CONFLICTING_COUNTIES, rs -> {
        String county = name(rs.getString("county")) + ", " + name(rs.getString("state"));
        Long otherLine = rs.getObject("other_line", Long.class);
        SourceException e = otherLine != null
            ? SourceException.content(SourceName.POPULATION, url(), otherLine, POPULATION_COLUMN,
                county + " is listed twice with different populations (lines " + rs.getLong("first_line")
                    + " and " + otherLine + "): which one is right cannot be told")
            : SourceException.content(SourceName.POPULATION, url(), rs.getLong("other_code_line"), idColumn(rs),
                county + " is listed twice with different county codes, " + rs.getString("first_code")
                    + " (line " + rs.getLong("first_code_line") + ") and " + rs.getString("other_code")
                    + " (line " + rs.getLong("other_code_line") + "): two counties of one name, or one "
                    + "county under two codes? Counted once, the people of one of two counties would be "
                    + "lost; counted twice, one county's would be doubled");
        return e.aboutState(rs.getString("state"));
    });

    /**
     * A summary row among the counties (a state's total: by its Id, its county code 000, or its
     * population, the sum of the state's other lines), or one county under two names: people the
     * file's counties already count.
     */
    private final Query<SourceException> countedTwice = new Query<>(COUNTED_TWICE, rs -> {
        String state = rs.getString("state");
        String productState = rs.getString("product_state");
        String fault = rs.getString("fault");
        SourceException e = "summary".equals(fault)
            ? SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), "Id",
                "the Id " + name(rs.getString("id")) + " is a summary row (Census summary level "
                    + rs.getString("summary_level") + "), not a county, whose Id begins 0500000US: its "
                    + rs.getLong("population") + " people are a total of counties, which the county "
                    + "file must not hold")
            : "state_code".equals(fault)
            ? SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), idColumn(rs),
                "the code " + rs.getString("fips") + " is a state's, not a county's (a county's has five "
                    + "digits and does not end in 000, the state's total in Census files): its "
                    + rs.getLong("population") + " people are a total of counties, which the county file "
                    + "must not hold")
            : "total".equals(fault)
            ? SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), POPULATION_COLUMN,
                name(rs.getString("county")) + ", " + name(state) + " has " + rs.getLong("population")
                    + " people, exactly as many as the " + rs.getLong("other_counties") + " other counties of "
                    + name(state) + " together: it is the state's total, not a county, and its people "
                    + "would be counted twice" + alsoIn(rs.getLong("total_states")))
            : SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), idColumn(rs),
                "the county " + name(rs.getString("fips")) + " is listed twice, as "
                    + name(rs.getString("first_county")) + ", " + name(rs.getString("first_state"))
                    + " (line " + rs.getLong("first_line") + ") and as " + name(rs.getString("county"))
                    + ", " + name(state) + ": its people would be counted twice");
        return productState == null ? e : e.aboutState(productState);
    });

    /** How many states have such a total, when more than the one named: a file of totals. */
    private static String alsoIn(long states) {
        return states > 1 ? " (" + states + " states of the file have a line that holds the rest of the state)" : "";
    }

    /** The column the county's code was read from (column id2 of the row): Id2 when the line has one, else Id. */
    private static String idColumn(ResultSet rs) throws SQLException {
        String id2 = rs.getString("id2");
        return id2 == null || id2.isEmpty() ? "Id" : "Id2";
    }

    /**
     * Counties under a State the reference does not know as a state, DC or territory: their people
     * would silently count for no state, so a state would be published short of them.
     */
    private final Query<SourceException> unplacedCounties = new Query<>(UNPLACED_COUNTIES, rs -> {
        String state = rs.getString("state");
        String kind = rs.getString("kind");
        String meant = rs.getString("meant");
        long counties = rs.getLong("counties");
        String what = kind == null
            ? "is not a state, DC or territory that dwh.jurisdictions knows"
            : "is a " + kind.replace('_', ' ') + " in dwh.jurisdictions, not a state";
        String hint = meant == null ? ""
            : kind == null
            ? ": " + name(meant) + ", written another way (case, spacing, punctuation or invisible characters)?"
            : ": its people belong to " + name(meant);
        SourceException e = SourceException.content(SourceName.POPULATION, url(),
            rs.getLong("first_line"), "State",
            "the state '" + name(state) + "' " + what + ", so its " + counties + " "
                + (counties == 1 ? "county" : "counties") + " (" + rs.getLong("population")
                + " people) would count for no state" + hint);
        return meant == null ? e : e.aboutState(meant);
    });

    /**
     * A county under another State than its code's (the code begins with its state's FIPS code), in a
     * file whose codes are the Census's: its people would count for the wrong state.
     */
    private final Query<SourceException> underAnotherState = new Query<>(UNDER_ANOTHER_STATE, rs -> {
        String state = rs.getString("state");
        String codeState = rs.getString("code_state");
        String code = rs.getString("code");
        long lines = rs.getLong("lines");
        String whose = codeState == null
            ? "which is no state's, DC's or territory's (none has the code " + code.substring(0, 2) + ")"
            : "which is " + name(codeState) + "'s (" + code.substring(0, 2) + ")";
        String counted = codeState == null ? "" : ": " + name(codeState) + "'s people would count for "
            + name(state);
        String more = lines == 1 ? ""
            : ". " + lines + " lines of the file are under another state than their code's: were states' "
                + "names exchanged?";
        SourceException e = SourceException.content(SourceName.POPULATION, url(),
            rs.getLong("line"), "State",
            name(rs.getString("county")) + ", " + name(state) + " has the county code " + code + ", " + whose
                + ", not " + name(state) + "'s (" + rs.getString("state_fips") + ")" + counted + more);
        if (inProduct(rs.getString("kind"))) {
            return e.aboutState(state);
        }
        return inProduct(rs.getString("code_kind")) ? e.aboutState(codeState) : e;
    });

    /**
     * A line whose Id2 is not its Id's county code, in a file whose two ids agree elsewhere: two
     * of its columns exchanged (the Id2 and the population), or a damaged value.
     */
    private final Query<SourceException> twoCodes = new Query<>(TWO_CODES, rs -> {
        String state = rs.getString("state");
        long lines = rs.getLong("lines");
        String more = lines == 1 ? "" : ". " + lines + " lines of the file have an Id2 other than their Id's code";
        SourceException e = SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), "Id2",
            name(rs.getString("county")) + ", " + name(state) + " has the Id2 " + rs.getString("id2")
                + ", not the county code of its Id " + rs.getString("id") + " (" + rs.getString("id_code")
                + "): were two of its values exchanged, or is the line damaged?" + more);
        return inProduct(rs.getString("kind")) ? e.aboutState(state) : e;
    });

    /**
     * A line whose ids do not read as a county's code, in a file whose lines do: another
     * geography (a metropolitan area, a city), or a damaged county line.
     */
    private final Query<SourceException> withoutACode = new Query<>(WITHOUT_A_CODE, rs -> {
        String state = rs.getString("state");
        String id = rs.getString("id");
        String id2 = rs.getString("id2");
        boolean hasId = id != null && !id.isEmpty();
        boolean hasId2 = id2 != null && !id2.isEmpty();
        String ids = hasId && hasId2 ? "the Id " + name(id) + " and the Id2 " + name(id2)
            : hasId ? "the Id " + name(id) + " and no Id2"
            : hasId2 ? "the Id2 " + name(id2) + " and no Id"
            : "neither an Id nor an Id2";
        long lines = rs.getLong("lines");
        SourceException e = SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"),
            hasId || !hasId2 ? "Id" : "Id2",
            name(rs.getString("county")) + ", " + name(state) + " has " + ids + ", which do not read as a county's "
                + "code (an Id 0500000US and five digits, or without an Id an Id2 of four or five digits), as the "
                + "file's other lines do: another geography (a metropolitan area, a city), or a damaged line? Its "
                + rs.getLong("population") + " people would be counted as a county's"
                + (lines == 1 ? "" : ". " + lines + " lines of the file have no county code"));
        return inProduct(rs.getString("kind")) ? e.aboutState(state) : e;
    });

    /**
     * A county code the Census retired beside a code it gave the same people instead (a county
     * renamed or split under new codes, Connecticut's counties and planning regions): no one year's
     * file has both, and the people would be counted twice.
     */
    private final Query<SourceException> retiredCounties = new Query<>(RETIRED_COUNTIES, rs -> {
        long codes = rs.getLong("retired_codes");
        String retired = name(rs.getString("retired_county")) + " (" + rs.getString("retired_code") + ", line "
            + rs.getLong("retired_line") + ")";
        String successor = name(rs.getString("successor_county")) + " (" + rs.getString("successor_code") + ", line "
            + rs.getLong("successor_line") + ")";
        return SourceException.content(SourceName.POPULATION, url(), rs.getLong("line"), "Id2",
            "the file gives both " + retired + " and " + successor + ", " + rs.getString("state") + ": in "
                + rs.getInt("year") + " the Census " + rs.getString("what") + ", so no one year's file has both "
                + "codes, and the same people would be counted twice"
                + (codes > 1 ? " (" + (codes - 1) + " more retired " + (codes == 2 ? "code is" : "codes are")
                    + " beside " + (codes == 2 ? "its successor" : "their successors") + ")" : ""))
            .aboutState(rs.getString("state"));
    });

    /** The kinds of jurisdiction the product has a row for. */
    private static final Set<String> PRODUCT_KINDS = Set.of("state", "district");

    /**
     * Whether a jurisdiction of {@code kind} has a product row; false for a name the reference does
     * not know (null: Set.of's contains would throw, and a refresh answer 500 for a line under an
     * unknown State).
     */
    private static boolean inProduct(String kind) {
        return kind != null && PRODUCT_KINDS.contains(kind);
    }

    /** A state (or DC) with no county, or whose counties add up to no people, or to more than any state has. */
    private Optional<SourceException> implausibleStatePopulations(CheckRows rows) {
        List<StatePopulation> wrong = rows.list(STATE_POPULATION_ROWS);
        if (wrong.isEmpty()) {
            return Optional.empty();
        }
        List<String> withoutCounties = wrong.stream().filter(m -> m.counties() == 0).map(StatePopulation::state).toList();
        if (!withoutCounties.isEmpty()) {
            return Optional.of(SourceException.content(SourceName.POPULATION, url(), null, "State",
                    "no county of " + String.join(", ", withoutCounties) + ": the product needs every state and DC")
                .aboutState(withoutCounties.get(0)));
        }
        StatePopulation state = wrong.get(0);
        String counties = "the " + state.counties() + " " + (state.counties() == 1 ? "county" : "counties") + " of "
            + state.state();
        String message = state.population() == 0
            ? counties + " add up to a population of 0 (from line " + state.firstLine() + "): its people per dose "
                + "would be 0"
            : counties + " add up to " + state.population() + " people (from line " + state.firstLine() + "), more "
                + "than any state holds (" + MOST_PEOPLE + "): a wrong population?";
        return Optional.of(SourceException.content(SourceName.POPULATION, url(), state.firstLine(), POPULATION_COLUMN,
            message).aboutState(state.state()));
    }

    /**
     * A state whose counties hold far fewer or far more people than its census count, in a county
     * file of the whole country: counties lost or the file cut short inside it, a population with
     * a digit too many, counties scaled or moved.
     */
    private final Query<SourceException> offTheirCensus = new Query<>(OFF_THEIR_CENSUS, rs -> {
        String state = rs.getString("state");
        long counties = rs.getLong("counties");
        long states = rs.getLong("states");
        boolean under = rs.getLong("population") < rs.getLong("census");
        return SourceException.content(SourceName.POPULATION, url(), rs.getLong("last_line"), "State",
            "the " + counties + " " + (counties == 1 ? "county" : "counties") + " of " + state + " (lines "
                + rs.getLong("first_line") + " to " + rs.getLong("last_line") + ") add up to "
                + rs.getLong("population") + " people, " + rs.getBigDecimal("ratio").toPlainString() + " times its "
                + "2020 census count (" + rs.getLong("census") + "), in a county file of the whole country ("
                + rs.getLong("file_counties") + " counties): "
                + (under ? "are counties of " + state + " lost, or is the file cut short?"
                    : "a population with a digit too many, or counties of another state?")
                + (states > 1 ? " (" + (states - 1) + " more states are so)" : "")
                + " " + state + " would be published with too " + (under ? "few" : "many") + " people.")
            .aboutState(state);
    });

    /**
     * A county code missing between two of its state's, in a county file of the whole country whose
     * codes run in the Census's odd steps: a county's line lost, and its people with it. Or missing
     * after the last county the file gives of the state it ends in, short of the Census's last
     * code for that state: a file cut at a line end.
     */
    private final Query<SourceException> lostCounties = new Query<>(LOST_COUNTIES, rs -> {
        String state = rs.getString("state");
        String before = rs.getString("before_code");
        long lost = rs.getLong("lost");
        String more = lost > 1 ? " (" + (lost - 1) + (lost == 2 ? " more code is" : " more codes are") + " missing so)" : "";
        if (rs.getString("after_code") == null) {
            // Past the last county the file gives of the state it ends in: the file looks cut.
            return SourceException.content(SourceName.POPULATION, url(), rs.getLong("before_line"), "Id2",
                "no line gives county " + rs.getString("code") + " of " + state + ": the file's last county of "
                    + state + " is " + name(rs.getString("before_county")) + " (" + before + ", line "
                    + rs.getLong("before_line") + "), and the Census numbers " + state + "'s counties in odd steps"
                    + " to " + rs.getString("last_code") + more + ". Is the file cut short? " + state
                    + " would be published without those counties' people.")
                .aboutState(state);
        }
        String after = name(rs.getString("after_county")) + " (" + rs.getString("after_code") + ", line "
            + rs.getLong("after_line") + ")";
        String where = before == null ? "before " + after
            : "between " + name(rs.getString("before_county")) + " (" + before + ", line " + rs.getLong("before_line")
                + ") and " + after;
        return SourceException.content(SourceName.POPULATION, url(), rs.getLong("after_line"), "Id2",
            "no line gives county " + rs.getString("code") + " of " + state + ", " + where + ": the Census numbers "
                + "a state's counties in odd steps, so a county's line looks lost" + more + ". " + state
                + " would be published without that county's people.")
            .aboutState(state);
    });

    /** A name from a source, in a message. */
    private static String name(String text) {
        return Printable.name(text, 60);
    }

    private record StatePopulation(String state, long counties, Long firstLine, long population) {
    }
}
