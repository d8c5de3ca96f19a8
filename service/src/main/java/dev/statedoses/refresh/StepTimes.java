package dev.statedoses.refresh;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * How long each step of one refresh took, for its log line: where a slow refresh spends its
 * time, without a profiler (the refresh benchmark in bench/ reads these lines).
 */
final class StepTimes {

    private final StringJoiner steps = new StringJoiner(", ");
    private long last = System.nanoTime();

    /** Ends the step that began at the previous mark (or at construction) and names it. */
    void mark(String step) {
        long now = System.nanoTime();
        steps.add(String.format(Locale.ROOT, "%s %.1f ms", step, (now - last) / 1e6));
        last = now;
    }

    @Override
    public String toString() {
        return steps.toString();
    }
}
