package dev.statedoses.refresh;

import dev.statedoses.refresh.CheckRows.Query;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceName;
import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import dev.statedoses.warehouse.Sql;
import java.net.URI;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * That each allocation file is its manufacturer's: the two URLs exchanged publish every state's
 * Moderna doses as Pfizer's and the reverse, with every total, and so every people per dose,
 * right. Two signs of it, each a source check of {@link Checks#sources}: doses in a week before
 * the manufacturer's vaccine was first allocated (files that reach back to December 2020), and a
 * Moderna file whose counts are whole packs of Pfizer's (vials of 6, trays of 975) beside a Pfizer
 * file whose counts are not (files cut to later weeks, as the lake's are).
 */
final class Manufacturers {

    private static final String BEFORE_FIRST_WEEK = Sql.load("checks/sources/allocations_before_first_week.sql");
    private static final String EXCHANGED = Sql.load("checks/sources/exchanged_manufacturers.sql");
    private static final String WRONG_MANUFACTURER = "Its doses would be published under the wrong manufacturer";

    private final Function<SourceName, URI> urls;

    Manufacturers(Function<SourceName, URI> urls) {
        this.urls = urls;
    }

    /** Where {@code source} was fetched from, for its error (a method: the checks' readers are field initialisers). */
    private URI url(SourceName source) {
        return urls.apply(source);
    }

    /** The queries of these checks, which every refresh runs (sent ahead by Checks, CheckRows). */
    List<Query<?>> queries() {
        return List.of(beforeFirstWeek, inTheOthersPacks);
    }

    /** The first sign that the files are not their manufacturers', if any. */
    Optional<SourceException> exchanged(CheckRows rows) {
        Optional<SourceException> early = rows.first(beforeFirstWeek);
        return early.isPresent() ? early : rows.first(inTheOthersPacks);
    }

    /**
     * Doses in a week before the manufacturer's vaccine was first allocated: the other
     * manufacturer's file, or weeks that are wrong. The first such line, the state it counts for.
     */
    private final Query<SourceException> beforeFirstWeek = new Query<>(BEFORE_FIRST_WEEK, rs -> {
        SourceName source = SourceName.of(rs.getString("source"));
        long rows = rs.getLong("rows");
        SourceException e = SourceException.content(source, url(source), rs.getLong("line"),
            "week_of_allocations", Printable.name(rs.getString("jurisdiction"), 60) + " is allocated "
                + rs.getLong("doses") + " doses in the week of " + rs.getObject("week", LocalDate.class)
                + ", before " + source.label() + "'s vaccine was first allocated (the week of "
                + rs.getObject("first_week", LocalDate.class) + ")"
                + (rows > 1 ? ", and so " + (rows == 2 ? "is 1 more row" : "are " + (rows - 1) + " more rows")
                    + " of the file (" + rs.getLong("source_doses") + " doses in all)" : "")
                + ": is it the other manufacturer's file (MODERNA_URL and PFIZER_URL exchanged?), or are its "
                + "weeks wrong? " + WRONG_MANUFACTURER);
        String state = rs.getString("product_state");
        return state == null ? e : e.aboutState(state);
    });

    /** The Moderna file's counts nearly all whole Pfizer packs, the Pfizer file's mostly not. */
    private final Query<SourceException> inTheOthersPacks = new Query<>(EXCHANGED, rs -> SourceException.content(
        SourceName.MODERNA, url(SourceName.MODERNA), null, null,
        rs.getLong("moderna_packs") + " of the moderna source's " + rs.getLong("moderna_counts")
            + " counts above 0 are whole vials or trays of Pfizer's vaccine (multiples of 6 or 975 doses), and "
            + "only " + rs.getLong("pfizer_packs") + " of the pfizer source's " + rs.getLong("pfizer_counts")
            + ", where every real Pfizer count is one (MODERNA_URL " + Redaction.url(url(SourceName.MODERNA))
            + ", PFIZER_URL " + Redaction.url(url(SourceName.PFIZER)) + "): are the two URLs exchanged? "
            + "Every state's doses would be published under the wrong manufacturer"));
}
