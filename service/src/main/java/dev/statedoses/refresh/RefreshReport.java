package dev.statedoses.refresh;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a refresh that did not fail: {@code succeeded} (it built the product) or
 * {@code unchanged} (every source was as the last good refresh saw it, so it built nothing and the
 * product, with its {@code refreshed_at}, stays; the figures are then the kept product's). The
 * dose counts reconcile: {@code dosesInSources = dosesInStateRows + dosesExcluded}, so every dose
 * is accounted for (the reconciliation check fails the refresh otherwise). {@code checks} are the
 * data checks the product passed: all pass or warn, since a fail rolls the refresh back.
 */
public record RefreshReport(
    long runId,
    String status,
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

    public static final String SUCCEEDED = "succeeded";
    public static final String UNCHANGED = "unchanged";
}
