package dev.statedoses.product;

import java.math.BigDecimal;
import java.time.Instant;

/** One row of the data product: a state (or DC), its people and its allocated doses. */
public record StateRatio(
    String state,
    String stateCode,
    long population,
    long dosesModerna,
    long dosesPfizer,
    long dosesTotal,
    BigDecimal peoplePerDose,
    Instant refreshedAt) {
}
