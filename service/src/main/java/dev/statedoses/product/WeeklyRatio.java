package dev.statedoses.product;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One allocation week of a state: the doses allocated in that week ({@code dosesModerna},
 * {@code dosesPfizer}), and the doses allocated up to and including it ({@code dosesTotal}, both
 * manufacturers) with the people per dose they give.
 */
public record WeeklyRatio(
    LocalDate week,
    long dosesModerna,
    long dosesPfizer,
    long dosesTotal,
    BigDecimal peoplePerDose) {
}
