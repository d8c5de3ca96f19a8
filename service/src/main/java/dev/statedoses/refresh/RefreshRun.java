package dev.statedoses.refresh;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One refresh attempt as {@code GET /refreshes} and {@code GET /refreshes/{id}} show it.
 * {@code finishedAt} and {@code durationMs} are null while it runs; {@code stateRows} is set when
 * it succeeded, {@code error} when it failed. {@code sources} are those it loaded (a failed run has
 * those it loaded before it failed). {@code checks} are only in the answer about one run (null,
 * and left out, in the list). {@code trigger} is what started it ({@link Trigger}; null for a run
 * recorded before that was kept).
 */
public record RefreshRun(
    long runId,
    String status,
    String trigger,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    Integer stateRows,
    String error,
    List<SourceReport> sources,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<CheckResult> checks) {

    /** This run with its {@code sources} and {@code checks} (null: left out of the answer). */
    RefreshRun with(List<SourceReport> sources, List<CheckResult> checks) {
        return new RefreshRun(runId, status, trigger, startedAt, finishedAt, durationMs, stateRows, error,
            List.copyOf(sources), checks == null ? null : List.copyOf(checks));
    }
}
