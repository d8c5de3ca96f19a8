package dev.statedoses.product;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One state in one allocation week, as {@code GET /ratios/weekly} lists every state and week (long
 * format, one row per state and week): the doses allocated in that week ({@code dosesModerna},
 * {@code dosesPfizer}), and the doses allocated up to and including it ({@code dosesTotal}, both
 * manufacturers) with the people per dose they give. The numbers of {@link WeeklyRatio}.
 */
public record StateWeek(
    String state,
    String stateCode,
    LocalDate week,
    long dosesModerna,
    long dosesPfizer,
    long dosesTotal,
    BigDecimal peoplePerDose) {
}
