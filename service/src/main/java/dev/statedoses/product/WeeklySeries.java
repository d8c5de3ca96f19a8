package dev.statedoses.product;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One state's allocation weeks, oldest first, as the snapshot keeps them: the doses allocated in
 * each week and, cumulative, up to it, with the people per dose they give. One array per column
 * rather than one object per week: every state has every week of the sources, so at a few hundred
 * times the real number of weeks the snapshot still holds them in a few tens of bytes a week.
 */
final class WeeklySeries {

    private final LocalDate[] weeks;
    private final long[] moderna;
    private final long[] pfizer;
    private final long[] total;
    private final Ratios peoplePerDose;

    private WeeklySeries(LocalDate[] weeks, long[] moderna, long[] pfizer, long[] total, Ratios peoplePerDose) {
        this.weeks = weeks;
        this.moderna = moderna;
        this.pfizer = pfizer;
        this.total = total;
        this.peoplePerDose = peoplePerDose;
    }

    /** The series of a state without weeks (sources without allocation rows). */
    static final WeeklySeries NONE = new WeeklySeries(new LocalDate[0], new long[0], new long[0], new long[0],
        Ratios.of(new BigDecimal[0], 0));

    /**
     * The people per dose of each week, kept as the digits and the scale of each, not as a
     * BigDecimal each: a BigDecimal holds its text once written ({@code toString} caches it), so
     * the first answer of every week made the snapshot 20 MB larger for good at 300 times the
     * real weeks (413,151 of them, 28 MB before), and a service that had room to start ran out at
     * its first weekly read. Made again for each answer, a BigDecimal is garbage once written. A
     * value whose digits do not fit a long (none: the column is numeric(14, 4)) keeps the series
     * as BigDecimals.
     */
    private static final class Ratios {
        /** The scale of a null ratio (no doses). */
        private static final byte NULL = Byte.MIN_VALUE;
        private final long[] unscaled;
        private final byte[] scales;
        private final BigDecimal[] wide;

        private Ratios(long[] unscaled, byte[] scales, BigDecimal[] wide) {
            this.unscaled = unscaled;
            this.scales = scales;
            this.wide = wide;
        }

        /** The first {@code size} of {@code values}, copied. */
        static Ratios of(BigDecimal[] values, int size) {
            long[] unscaled = new long[size];
            byte[] scales = new byte[size];
            for (int i = 0; i < size; i++) {
                BigDecimal value = values[i];
                if (value == null) {
                    scales[i] = NULL;
                } else if (value.unscaledValue().bitLength() < 64 && value.scale() > NULL
                    && value.scale() <= Byte.MAX_VALUE) {
                    unscaled[i] = value.unscaledValue().longValue();
                    scales[i] = (byte) value.scale();
                } else {
                    return new Ratios(null, null, Arrays.copyOf(values, size));
                }
            }
            return new Ratios(unscaled, scales, null);
        }

        BigDecimal get(int i) {
            if (wide != null) {
                return wide[i];
            }
            return scales[i] == NULL ? null : BigDecimal.valueOf(unscaled[i], scales[i]);
        }
    }

    /** Every week, as {@code GET /ratios/{state}/weekly} answers them: made one at a time as they are read. */
    Iterable<WeeklyRatio> weeks() {
        return () -> IntStream.range(0, weeks.length)
            .mapToObj(i -> new WeeklyRatio(weeks[i], moderna[i], pfizer[i], total[i], peoplePerDose.get(i)))
            .iterator();
    }

    /**
     * The weeks from {@code from} to {@code to} (both included; null: no bound) as rows of
     * {@code state}, oldest first: made one at a time as they are read, so that an answer of every
     * state and week is never held whole.
     */
    Stream<StateWeek> rows(StateRatio state, LocalDate from, LocalDate to) {
        return IntStream.range(0, weeks.length)
            .filter(i -> (from == null || !weeks[i].isBefore(from)) && (to == null || !weeks[i].isAfter(to)))
            .mapToObj(i -> new StateWeek(state.state(), state.stateCode(), weeks[i], moderna[i], pfizer[i], total[i],
                peoplePerDose.get(i)));
    }

    /**
     * Collects every state's weeks as the warehouse reads them out, ordered by state and week,
     * into one series per state. States with the same weeks (every state has every week) share
     * one array of them.
     */
    static final class Collector {
        private final Map<String, WeeklySeries> byState = new HashMap<>();
        private String state;
        private LocalDate[] weeks = new LocalDate[32];
        private long[] moderna = new long[32];
        private long[] pfizer = new long[32];
        private long[] total = new long[32];
        private BigDecimal[] peoplePerDose = new BigDecimal[32];
        private int size;
        private LocalDate[] lastWeeks;

        void add(String rowState, LocalDate week, long weekModerna, long weekPfizer, long cumulativeTotal,
                 BigDecimal ratio) {
            if (!rowState.equals(state)) {
                finishState();
                state = rowState;
            }
            if (size == weeks.length) {
                int capacity = size * 2;
                weeks = Arrays.copyOf(weeks, capacity);
                moderna = Arrays.copyOf(moderna, capacity);
                pfizer = Arrays.copyOf(pfizer, capacity);
                total = Arrays.copyOf(total, capacity);
                peoplePerDose = Arrays.copyOf(peoplePerDose, capacity);
            }
            weeks[size] = week;
            moderna[size] = weekModerna;
            pfizer[size] = weekPfizer;
            total[size] = cumulativeTotal;
            peoplePerDose[size] = ratio;
            size++;
        }

        /** Each state's series, by its name as in {@link StateRatio#state()}. */
        Map<String, WeeklySeries> byState() {
            finishState();
            return Map.copyOf(byState);
        }

        private void finishState() {
            if (state == null) {
                return;
            }
            LocalDate[] own = Arrays.copyOf(weeks, size);
            lastWeeks = Arrays.equals(own, lastWeeks) ? lastWeeks : own;
            byState.put(state, new WeeklySeries(lastWeeks, Arrays.copyOf(moderna, size), Arrays.copyOf(pfizer, size),
                Arrays.copyOf(total, size), Ratios.of(peoplePerDose, size)));
            state = null;
            size = 0;
        }
    }
}
