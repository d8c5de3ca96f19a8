package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The warm-up's rounds, and how it gives way to a refresh. */
class WarmUpTest {

    private final WarmUp warmUp = new WarmUp(Wiring.objectMapper());

    @Test
    void eachRoundLoadsTheGeneratedSourcesAndWritesTheSnapshotsAnswers() {
        WarmUp.Done one = warmUp.run(1, () -> false);
        // 2 x 63 x 28 allocations and 3,220 counties.
        assertEquals(1, one.rounds());
        assertEquals(6_748, one.rows());
        WarmUp.Done three = warmUp.run(3, () -> false);
        assertEquals(3 * 6_748, three.rows());
        assertEquals(3 * one.bytes(), three.bytes(), "the same answers each round");
    }

    @Test
    void itStopsBetweenRoundsOnceARefreshHasStarted() {
        assertEquals(new WarmUp.Done(0, 0, 0, 0), zeroTime(warmUp.run(12, () -> true)));
        AtomicInteger asked = new AtomicInteger();
        // A refresh starts after the second round: no third.
        WarmUp.Done two = warmUp.run(12, () -> asked.incrementAndGet() > 2);
        assertEquals(2, two.rounds());
        assertEquals(2 * 6_748, two.rows());
    }

    private static WarmUp.Done zeroTime(WarmUp.Done done) {
        return new WarmUp.Done(done.rounds(), done.rows(), done.bytes(), 0);
    }
}
