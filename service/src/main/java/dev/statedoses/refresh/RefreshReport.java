package dev.statedoses.refresh;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a successful refresh. The dose counts reconcile:
 * {@code dosesInSources = dosesInStateRows + dosesExcluded}, so every dose is accounted for (the
 * reconciliation check fails the refresh otherwise). {@code checks} are the data checks it ran:
 * all pass or warn, since a fail rolls the refresh back.
 */
public record RefreshReport(
    long runId,
    Instant startedAt,
    Instant finishedAt,
    long durationMs,
    List<SourceReport> sources,
    int stateRows,
    long dosesInSources,
    long dosesInStateRows,
    long dosesExcluded,
    List<Exclusion> exclusions,
    List<CheckResult> checks) {
}
