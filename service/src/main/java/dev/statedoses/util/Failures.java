package dev.statedoses.util;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** A failure and all it carries: what the service asks of a failure is often asked of its causes. */
public final class Failures {

    private Failures() {
    }

    /** {@code failure}, its causes, and what each suppressed, nearest first, each once (a cycle ends). */
    public static Stream<Throwable> chain(Throwable failure) {
        List<Throwable> found = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> next = new ArrayDeque<>();
        if (failure != null) {
            next.add(failure);
        }
        while (!next.isEmpty()) {
            Throwable t = next.poll();
            if (seen.add(t)) {
                found.add(t);
                if (t.getCause() != null) {
                    next.add(t.getCause());
                }
                next.addAll(List.of(t.getSuppressed()));
            }
        }
        return found.stream();
    }
}
