package dev.statedoses.refresh;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A data check of a refresh failed: the product it built is wrong, so the refresh rolls back and
 * the last good product stays. The run is recorded as failed, with every check it ran.
 */
public final class CheckFailedException extends RuntimeException {

    private final List<CheckResult> checks;

    public CheckFailedException(List<CheckResult> checks) {
        super("data check failed: " + checks.stream().filter(CheckResult::failed)
            .map(c -> c.name() + ": " + c.detail()).collect(Collectors.joining("; ")));
        this.checks = List.copyOf(checks);
    }

    /** Every check the refresh ran, in order, the failed ones among them. */
    public List<CheckResult> checks() {
        return checks;
    }

    /** Only the checks that failed. */
    public List<CheckResult> failed() {
        return checks.stream().filter(CheckResult::failed).toList();
    }
}
