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
    private final BigDecimal[] peoplePerDose;

    private WeeklySeries(LocalDate[] weeks, long[] moderna, long[] pfizer, long[] total,
                         BigDecimal[] peoplePerDose) {
        this.weeks = weeks;
        this.moderna = moderna;
        this.pfizer = pfizer;
        this.total = total;
        this.peoplePerDose = peoplePerDose;
    }

    /** The series of a state without weeks (sources without allocation rows). */
    static final WeeklySeries NONE = new WeeklySeries(new LocalDate[0], new long[0], new long[0], new long[0],
        new BigDecimal[0]);

    /** Every week, as {@code GET /ratios/{state}/weekly} answers them: made one at a time as they are read. */
    Iterable<WeeklyRatio> weeks() {
        return () -> IntStream.range(0, weeks.length)
            .mapToObj(i -> new WeeklyRatio(weeks[i], moderna[i], pfizer[i], total[i], peoplePerDose[i]))
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
                peoplePerDose[i]));
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
                Arrays.copyOf(total, size), Arrays.copyOf(peoplePerDose, size)));
            state = null;
            size = 0;
        }
    }
}
