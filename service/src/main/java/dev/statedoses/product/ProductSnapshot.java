package dev.statedoses.product;

import dev.statedoses.product.ProductResponse.Prepared;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The product as readers get it: every row, found by code or name, with the response for
 * {@code GET /ratios} already written in JSON and CSV with its ETag, and those for each
 * {@code GET /ratios/{state}} and the week by week answer written on their first request (a
 * refresh waits for the first, not for 52 others); and every state's weeks. Immutable but for
 * those written answers; a refresh makes a new one and swaps it in whole.
 */
public final class ProductSnapshot {

    private final List<StateRatio> rows;
    /** When the product was built (every row has the same); null before the first refresh. */
    private final Instant refreshedAt;
    /** Its Last-Modified, and whether that date names it alone; null before the first refresh. */
    private final LastModified lastModified;
    private final Prepared all;
    private final Map<String, StateRatio> byKey;
    /** Each state's written answer, by code, as first asked for. */
    private final Map<String, Prepared> byCode = new ConcurrentHashMap<>();
    private final Map<String, WeeklySeries> weeksByState;
    private final ProductResponse responses;
    /** {@code GET /ratios/weekly} without filters: the largest answer, and the one asked for most of the weekly ones. */
    private final ProductResponse.Streamed allWeeks;

    private ProductSnapshot(List<StateRatio> rows, Instant refreshedAt, LastModified lastModified, Prepared all,
                            Map<String, StateRatio> byKey, Map<String, WeeklySeries> weeksByState,
                            ProductResponse responses) {
        this.rows = rows;
        this.refreshedAt = refreshedAt;
        this.lastModified = lastModified;
        this.all = all;
        this.byKey = byKey;
        this.weeksByState = weeksByState;
        this.responses = responses;
        this.allWeeks = responses.stream(weeks(null, null, null), Columns.STATE_WEEK, lastModified);
    }

    public static ProductSnapshot of(RatioRepository.Product product, ProductResponse responses) {
        List<StateRatio> rows = product.rows();
        Instant refreshedAt = rows.isEmpty() ? null : rows.get(0).refreshedAt();
        LastModified lastModified = refreshedAt == null ? null : LastModified.of(refreshedAt, product.dateAlone());
        Map<String, StateRatio> byKey = new HashMap<>();
        for (StateRatio row : rows) {
            byKey.put(row.stateCode().toUpperCase(Locale.ROOT), row);
            byKey.put(row.state().toLowerCase(Locale.ROOT), row);
        }
        return new ProductSnapshot(List.copyOf(rows), refreshedAt, lastModified,
            responses.prepare(rows, Columns.STATE, lastModified), Map.copyOf(byKey),
            Map.copyOf(product.weeksByState()), responses);
    }

    /**
     * A snapshot of generated rows (51 states over {@code weeks} weeks), with every answer written:
     * the reload's own Java work, for the warm-up ({@code dev.statedoses.WarmUp}). Answers the
     * bytes written.
     */
    public static long warmUp(ProductResponse responses, int weeks) {
        Instant at = Instant.parse("2021-06-28T00:00:00Z");
        List<StateRatio> rows = new ArrayList<>();
        WeeklySeries.Collector series = new WeeklySeries.Collector();
        for (int s = 0; s < 51; s++) {
            String state = "State " + (char) ('A' + s / 26) + (char) ('A' + s % 26);
            long population = 500_000L + s * 750_011L;
            long moderna = 0;
            long pfizer = 0;
            for (int w = 0; w < weeks; w++) {
                long weekModerna = (s * 7_919L + w * 104_729L) % 90_000;
                long weekPfizer = (s * 15_485_863L + w * 7_919L) % 120_000;
                moderna += weekModerna;
                pfizer += weekPfizer;
                series.add(state, LocalDate.of(2020, 12, 14).plusWeeks(w), weekModerna, weekPfizer,
                    moderna + pfizer, ratio(population, moderna + pfizer));
            }
            rows.add(new StateRatio(state, state.substring(6), population, moderna, pfizer, moderna + pfizer,
                ratio(population, moderna + pfizer), at));
        }
        ProductSnapshot snapshot = of(new RatioRepository.Product(rows, series.byState(), -1, true), responses);
        long bytes = snapshot.all().json().length + snapshot.all().csv().length;
        for (StateRatio row : rows) {
            Prepared one = snapshot.prepared(row);
            bytes += one.json().length + one.csv().length;
        }
        return bytes + snapshot.allWeeks().measured(false).length() + snapshot.allWeeks().measured(true).length();
    }

    private static BigDecimal ratio(long population, long doses) {
        return doses == 0 ? null : BigDecimal.valueOf(population).divide(BigDecimal.valueOf(doses), 4,
            RoundingMode.HALF_UP);
    }

    /** No product: before the first refresh. */
    static ProductSnapshot empty(ProductResponse responses) {
        return of(new RatioRepository.Product(List.of(), Map.of(), -1, true), responses);
    }

    /** Every row, by state name (byte order). */
    public List<StateRatio> rows() {
        return rows;
    }

    /** {@code GET /ratios}, written. */
    public Prepared all() {
        return all;
    }

    /** The row of a USPS code (any case) or a state name (any case), as the repository finds them. */
    public Optional<StateRatio> find(String codeOrName) {
        StateRatio byCode = byKey.get(codeOrName.toUpperCase(Locale.ROOT));
        if (byCode != null && byCode.stateCode().equalsIgnoreCase(codeOrName)) {
            return Optional.of(byCode);
        }
        return Optional.ofNullable(byKey.get(codeOrName.toLowerCase(Locale.ROOT)));
    }

    /** {@code GET /ratios/{state}} of {@code row}, written on its first request and kept. */
    public Prepared prepared(StateRatio row) {
        return byCode.computeIfAbsent(row.stateCode(),
            code -> responses.prepare(row, Columns.STATE, lastModified));
    }

    /** The weeks of {@code row}, oldest first, made as they are read. */
    public Iterable<WeeklyRatio> weeks(StateRatio row) {
        return series(row).weeks();
    }

    /**
     * Every week of {@code states} (null: every state) from {@code from} to {@code to}, both
     * included (null: no bound): one row per state and week, by state (in the order of
     * {@link #rows()}), then week. Made as they are read: at hundreds of times the real number of
     * weeks, the list of them all took more heap than the snapshot itself, and one request for
     * it ended a service under -Xmx256m (java.lang.OutOfMemoryError).
     */
    public Iterable<StateWeek> weeks(Set<StateRatio> states, LocalDate from, LocalDate to) {
        return () -> rows.stream()
            .filter(row -> states == null || states.contains(row))
            .flatMap(row -> series(row).rows(row, from, to))
            .iterator();
    }

    /**
     * {@code GET /ratios/weekly} without filters: every state and week, written as it is sent, and
     * kept once written when it is small ({@link ProductResponse.Streamed}).
     */
    public ProductResponse.Streamed allWeeks() {
        return allWeeks;
    }

    /** When the product was built; null when there is none yet. */
    public Instant refreshedAt() {
        return refreshedAt;
    }

    /** The product's Last-Modified; null when there is none yet. */
    public LastModified lastModified() {
        return lastModified;
    }

    /**
     * The Last-Modified of rows read from the warehouse (the product as of a date), built at
     * {@code refreshedAt}: this snapshot's when they are of its product. Rows of a product it
     * does not hold yet (committed since it was loaded; its reload is on the way) get their date,
     * but not the word that it names them alone, which this snapshot does not have: until the
     * reload, If-Modified-Since alone answers them 200.
     */
    public LastModified lastModifiedOf(Instant refreshedAt) {
        return refreshedAt.equals(this.refreshedAt) ? lastModified : LastModified.of(refreshedAt, false);
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    private WeeklySeries series(StateRatio row) {
        return weeksByState.getOrDefault(row.state(), WeeklySeries.NONE);
    }
}
