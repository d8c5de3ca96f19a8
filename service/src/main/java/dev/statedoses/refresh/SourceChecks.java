package dev.statedoses.refresh;

import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import dev.statedoses.warehouse.Sql;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * The checks of a refresh that need a source's rows all at once, run in SQL over the freshly
 * loaded raw tables before the product is built. Each failure is a source error, as one found
 * while reading would be: the source, the line, the column (and the state) at fault.
 */
final class SourceChecks {

    private static final String CONFLICTS_SQL = Sql.load("conflicting_allocations.sql");
    private static final String COUNTY_CONFLICTS_SQL = Sql.load("conflicting_counties.sql");
    private static final String STATE_POPULATIONS_SQL = Sql.load("implausible_state_populations.sql");
    /** More people than any state could hold: the whole United States has a third of this. */
    private static final long MOST_PEOPLE = 1_000_000_000L;
    private static final String POPULATION_COLUMN = "Population Estimate 2018";

    private final Function<SourceName, java.net.URI> urls;

    SourceChecks(Function<SourceName, java.net.URI> urls) {
        this.urls = urls;
    }

    void run(Handle tx) {
        conflictingAllocations(tx).ifPresent(e -> {
            throw e;
        });
        conflictingCounties(tx).ifPresent(e -> {
            throw e;
        });
        implausibleStatePopulations(tx).ifPresent(e -> {
            throw e;
        });
    }

    /** A week a source lists twice with different values. */
    private Optional<SourceException> conflictingAllocations(Handle tx) {
        // The flag is one scan of the staged table; the query that names the lines sorts the raw
        // rows (200 ms at 30 times the real size), so it runs only when there is a conflict.
        boolean flagged = tx.createQuery("select exists (select 1 from run_allocations where conflicting)")
            .mapTo(Boolean.class).one();
        return !flagged ? Optional.empty() : tx.createQuery(CONFLICTS_SQL)
            .map((rs, ctx) -> {
                SourceName source = SourceName.valueOf(rs.getString("source").toUpperCase(Locale.ROOT));
                long firstLine = rs.getLong("first_line");
                long otherLine = rs.getLong("other_line");
                return SourceException.content(source, urls.apply(source), otherLine, null,
                    name(rs.getString("jurisdiction")) + " has two different allocations for the week of "
                        + rs.getObject("week_of_allocations", LocalDate.class)
                        + " (lines " + firstLine + " and " + otherLine + ")");
            })
            .findFirst();
    }

    /** A county listed twice with different populations. */
    private Optional<SourceException> conflictingCounties(Handle tx) {
        return tx.createQuery(COUNTY_CONFLICTS_SQL)
            .map((rs, ctx) -> SourceException.content(SourceName.POPULATION, urls.apply(SourceName.POPULATION),
                    rs.getLong("other_line"), POPULATION_COLUMN,
                    name(rs.getString("county")) + ", " + name(rs.getString("state")) + " is listed twice with "
                        + "different populations (lines " + rs.getLong("first_line") + " and "
                        + rs.getLong("other_line") + "): which one is right cannot be told")
                .aboutState(rs.getString("state")))
            .findFirst();
    }

    /** A state (or DC) with no county, or whose counties add up to no people, or to more than any state has. */
    private Optional<SourceException> implausibleStatePopulations(Handle tx) {
        List<StatePopulation> wrong = tx.createQuery(STATE_POPULATIONS_SQL)
            .map((rs, ctx) -> new StatePopulation(rs.getString("state"), rs.getLong("counties"),
                rs.getObject("first_line", Long.class), rs.getLong("population")))
            .list();
        if (wrong.isEmpty()) {
            return Optional.empty();
        }
        java.net.URI url = urls.apply(SourceName.POPULATION);
        List<String> withoutCounties = wrong.stream().filter(m -> m.counties() == 0).map(StatePopulation::state).toList();
        if (!withoutCounties.isEmpty()) {
            return Optional.of(SourceException.content(SourceName.POPULATION, url, null, "State",
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
        return Optional.of(SourceException.content(SourceName.POPULATION, url, state.firstLine(), POPULATION_COLUMN,
            message).aboutState(state.state()));
    }

    /** A name from a source, in a message. */
    private static String name(String text) {
        return Printable.shorten(text, 60);
    }

    private record StatePopulation(String state, long counties, Long firstLine, long population) {
    }
}
