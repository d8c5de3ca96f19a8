package dev.statedoses.refresh;

/**
 * Doses allocated to a jurisdiction that is not a state row: a territory, a freely associated
 * state, Federal Entities, or a name we do not know ({@code kind} = unknown).
 */
public record Exclusion(String jurisdiction, String kind, long dosesModerna, long dosesPfizer, long dosesTotal) {
}
