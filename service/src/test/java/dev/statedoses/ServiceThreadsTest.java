package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A service that closes stops the threads it started: the fetch threads and the deadline timer
 * of its refreshes, and the one that vacuums after them, among them. A process that builds
 * services again and again (the tests do, an embedding application could) keeps none of them
 * behind.
 */
class ServiceThreadsTest {

    /** The background threads a refresh starts, by the names the service gives them. */
    private static final List<String> REFRESH_THREADS = List.of("source-fetch", "source-deadline", "product-vacuum");

    @Test
    void closingTheServiceStopsTheThreadsItsRefreshesStarted() throws InterruptedException {
        // Threads of services closed before this test may still be ending: only new ones count.
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp app = RunningApp.start(config)) {
                app.given().post("/refresh").then().statusCode(200);
                Map<String, Integer> started = liveSince(before);
                for (String name : REFRESH_THREADS) {
                    assertTrue(started.get(name) > 0, name + " not among " + started);
                }
            }
        }
        // shutdownNow interrupts them; give them a moment to end.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!liveSince(before).values().stream().allMatch(n -> n == 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(Map.of("product-vacuum", 0, "source-deadline", 0, "source-fetch", 0), liveSince(before));
    }

    /** How many threads of each refresh name are alive that were not among {@code before}. */
    private static Map<String, Integer> liveSince(Set<Thread> before) {
        Map<String, Integer> counts = new TreeMap<>();
        REFRESH_THREADS.forEach(name -> counts.put(name, 0));
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !before.contains(thread) && counts.containsKey(thread.getName())) {
                counts.merge(thread.getName(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
