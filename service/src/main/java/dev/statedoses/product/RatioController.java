package dev.statedoses.product;

import dev.statedoses.text.Printable;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.QueryParameter;
import dev.statedoses.web.StrictQuery;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** HTTP for the data product: reads the request, asks the repository, writes JSON or CSV. */
public final class RatioController {

    /** What ?sort= may name: every row field, each with its order. */
    private static final Map<String, Comparator<StateRatio>> SORTS = Map.of(
        "state", Comparator.comparing(StateRatio::state),
        "state_code", Comparator.comparing(StateRatio::stateCode),
        "population", Comparator.comparingLong(StateRatio::population),
        "doses_moderna", Comparator.comparingLong(StateRatio::dosesModerna),
        "doses_pfizer", Comparator.comparingLong(StateRatio::dosesPfizer),
        "doses_total", Comparator.comparingLong(StateRatio::dosesTotal),
        "people_per_dose", Comparator.comparing(StateRatio::peoplePerDose,
            Comparator.nullsLast(Comparator.naturalOrder())));

    // The query parameters of the four reads. Each read takes these and no others (web/StrictQuery).
    private static final String A_DATE = "as a date YYYY-MM-DD such as 2021-01-04";
    /** The product as of a date. */
    static final QueryParameter AS_OF = QueryParameter.once("as_of", "invalid-as-of", "Invalid as_of", A_DATE);
    private static final QueryParameter SORT = QueryParameter.once("sort", "invalid-sort", "Invalid sort",
        "as one of " + String.join(", ", Columns.SORTABLE));
    private static final QueryParameter ORDER = QueryParameter.once("order", "invalid-order", "Invalid order",
        "as asc or desc");
    /** The states of GET /ratios/weekly: repeated, or separated by commas. */
    private static final QueryParameter STATES = QueryParameter.repeatable("state");
    private static final QueryParameter FROM = QueryParameter.once("from", "invalid-week-range",
        "Invalid week range", A_DATE);
    private static final QueryParameter TO = QueryParameter.once("to", "invalid-week-range",
        "Invalid week range", A_DATE);
    private static final QueryParameter FORMAT = ProductResponse.FORMAT;

    private final RatioRepository ratios;
    private final ProductCache product;
    private final ProductResponse response;

    /** {@code product} serves the current product from memory; {@code ratios} the product as of a week. */
    public RatioController(RatioRepository ratios, ProductCache product, ProductResponse response) {
        this.ratios = ratios;
        this.product = product;
        this.response = response;
    }

    /** GET /ratios, or with ?as_of=YYYY-MM-DD the rows as of that date; ?sort= and ?order= order them. */
    public void list(Context ctx) {
        StrictQuery query = StrictQuery.read(ctx, AS_OF, SORT, ORDER, FORMAT);
        Optional<LocalDate> asOf = asOf(query);
        Comparator<StateRatio> order = order(query);
        String format = ProductResponse.format(query);
        ProductSnapshot snapshot = product.current();
        if (asOf.isEmpty() && !query.has(SORT.name()) && !query.has(ORDER.name())) {
            response.send(ctx, format, snapshot.all()); // the common read: bytes made at refresh time
            return;
        }
        List<StateRatio> rows = (asOf.isPresent() ? ratios.allAsOf(asOf.get()) : snapshot.rows()).stream()
            .sorted(order).toList();
        response.send(ctx, format, rows, Columns.STATE,
            rows.isEmpty() ? null : snapshot.lastModifiedOf(rows.get(0).refreshedAt()));
    }

    /**
     * The order ?sort=&lt;field&gt;&amp;order=asc|desc asks for (default: by state, ascending).
     * Sorted by people_per_dose, rows without one (a state with no doses) come last either way;
     * by another field, they sort by that field like any other. Ties are broken by state.
     */
    static Comparator<StateRatio> order(StrictQuery query) {
        String field = Optional.ofNullable(query.one(SORT.name())).orElse("state");
        String direction = Optional.ofNullable(query.one(ORDER.name())).orElse("asc");
        Comparator<StateRatio> byField = SORTS.get(field);
        if (byField == null) {
            throw SORT.invalid("sort must be one of " + String.join(", ", Columns.SORTABLE) + ", not '"
                + Printable.shorten(field, 40) + "'");
        }
        if (!direction.equals("asc") && !direction.equals("desc")) {
            throw ORDER.invalid("order must be asc or desc, not '" + Printable.shorten(direction, 40) + "'");
        }
        boolean descending = direction.equals("desc");
        Comparator<StateRatio> directed = field.equals("people_per_dose")
            ? Comparator.comparing(StateRatio::peoplePerDose, Comparator.nullsLast(
                descending ? Comparator.<BigDecimal>reverseOrder() : Comparator.<BigDecimal>naturalOrder()))
            : descending ? byField.reversed() : byField;
        return directed.thenComparing(StateRatio::state);
    }

    /** GET /ratios/{state}, or with ?as_of=YYYY-MM-DD the row as of that date. */
    public void one(Context ctx) {
        StrictQuery query = StrictQuery.read(ctx, AS_OF, FORMAT);
        String key = StateKey.parse(ctx.pathParam("state"));
        Optional<LocalDate> asOf = asOf(query);
        String format = ProductResponse.format(query);
        ProductSnapshot snapshot = product.current();
        if (asOf.isEmpty()) {
            StateRatio row = snapshot.find(key).orElseThrow(() -> notFound(key, snapshot.isEmpty()));
            response.send(ctx, format, snapshot.prepared(row));
            return;
        }
        StateRatio row = ratios.findAsOf(key, asOf.get()).orElseThrow(() -> notFound(key, snapshot.isEmpty()));
        response.send(ctx, format, row, Columns.STATE, snapshot.lastModifiedOf(row.refreshedAt()));
    }

    /** GET /ratios/{state}/weekly: the state's allocation weeks, oldest first, from the snapshot. */
    public void weekly(Context ctx) {
        StrictQuery query = StrictQuery.read(ctx, FORMAT);
        String key = StateKey.parse(ctx.pathParam("state"));
        String format = ProductResponse.format(query);
        ProductSnapshot snapshot = product.current();
        StateRatio row = snapshot.find(key).orElseThrow(() -> notFound(key, snapshot.isEmpty()));
        response.send(ctx, format,
            response.stream(snapshot.weeks(row), Columns.WEEK, snapshot.lastModified()));
    }

    /**
     * GET /ratios/weekly: every state and week, one row each (long format), from the snapshot;
     * ?state= (repeatable, or comma-separated) keeps those states, ?from= and ?to= those weeks.
     */
    public void allWeeks(Context ctx) {
        StrictQuery query = StrictQuery.read(ctx, STATES, FROM, TO, FORMAT);
        String format = ProductResponse.format(query);
        List<String> keys = stateKeys(query.all(STATES.name()));
        LocalDate from = weekBound(query, FROM);
        LocalDate to = weekBound(query, TO);
        if (from != null && to != null && from.isAfter(to)) {
            throw FROM.invalid("from " + from + " is after to " + to + ": no week can be in between");
        }
        // Looked up only once every value is read: a malformed one is the request's fault (400)
        // whatever else it names, and a 404 for a state the product lacks would have hidden it.
        ProductSnapshot snapshot = product.current();
        Set<StateRatio> states = states(keys, snapshot);
        if (states == null && from == null && to == null) {
            response.send(ctx, format, snapshot.allWeeks()); // measured once per snapshot
            return;
        }
        response.send(ctx, format, response.stream(snapshot.weeks(states, from, to), Columns.STATE_WEEK,
            snapshot.lastModified()));
    }

    /** The keys ?state= gives (repeated, or separated by commas), each checked (a 400 if malformed). */
    private static List<String> stateKeys(List<String> values) {
        List<String> keys = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                keys.add(StateKey.parse(part));
            }
        }
        return keys;
    }

    /** The states {@code keys} name (null: none named, so every state); each must be a state of the product. */
    private static Set<StateRatio> states(List<String> keys, ProductSnapshot snapshot) {
        if (keys.isEmpty()) {
            return null;
        }
        Set<StateRatio> states = new HashSet<>();
        for (String key : keys) {
            states.add(snapshot.find(key).orElseThrow(() -> notFound(key, snapshot.isEmpty())));
        }
        return states;
    }

    /** ?from= or ?to=: absent (null), or a real date YYYY-MM-DD (given once: StrictQuery sees to that). */
    private static LocalDate weekBound(StrictQuery query, QueryParameter bound) {
        String value = query.one(bound.name());
        if (value == null) {
            return null;
        }
        return date(value).orElseThrow(() -> bound.invalid(bound.name() + " '"
            + Printable.shorten(value, 40) + "' is not a date: use a real calendar date written "
            + "YYYY-MM-DD, such as 2021-01-04"));
    }

    /**
     * The {@code as_of} query parameter: absent, or one real calendar date written YYYY-MM-DD
     * (ISO 8601, as the API writes dates). Anything else is a 400.
     */
    static Optional<LocalDate> asOf(StrictQuery query) {
        return Optional.ofNullable(query.one(AS_OF.name())).map(RatioController::parseAsOf);
    }

    /** A date YYYY-MM-DD (strictly: 10 characters, a month 01-12, a day that month has), or a 400. */
    static LocalDate parseAsOf(String value) {
        return date(value).orElseThrow(() -> AS_OF.invalid("as_of '" + Printable.shorten(value, 40)
            + "' is not a date: use a real calendar date written YYYY-MM-DD, such as 2021-01-04"));
    }

    /** A date YYYY-MM-DD, strictly: 10 characters, a month 01-12, a day that month has. */
    private static Optional<LocalDate> date(String value) {
        if (value.length() == 10) {
            try {
                // ISO_LOCAL_DATE, resolved strictly: 2021-02-30, 2021-13-01 and 2021-1-4 fail.
                return Optional.of(LocalDate.parse(value));
            } catch (DateTimeParseException e) {
                // not a date
            }
        }
        return Optional.empty();
    }

    private static ProblemException notFound(String key, boolean noProduct) {
        return new ProblemException(noProduct
            ? Problem.of(404, "no-data", "No data yet",
                "No data has been loaded yet: run a refresh first (POST /refresh)")
            : Problem.of(404, "unknown-state", "Unknown state",
                "No state '" + key + "': use a USPS code (NY) or a full name (New York)"));
    }
}
