package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.product.HeapRoom;
import org.junit.jupiter.api.Test;

/**
 * The line a start that ran out of memory prints. Out of threads (a low `ulimit -u`, as an audit
 * of the embedded start found), it said the heap had run out and to start with a larger one.
 */
class OutOfMemoryAtStartTest {

    @Test
    void aThreadTheJvmCouldNotMakeIsSaidAsSuch() {
        // The JVM's words, as it throws them (JDK 17 and 21; before 17, "unable to create new native thread").
        for (String jvm : new String[] {
            "unable to create native thread: possibly out of memory or process/resource limits reached",
            "unable to create new native thread"}) {
            String line = Main.outOfMemoryAtStart(new OutOfMemoryError(jvm));
            assertEquals("the service could not start a thread while starting (" + jvm + "): raise this user's limit"
                + " of processes (ulimit -u) or of memory (ulimit -v), or run fewer processes as this user", line);
        }
    }

    @Test
    void theHeapIsSaidAsBefore() {
        assertEquals(HeapRoom.ranOutStarting(), Main.outOfMemoryAtStart(new OutOfMemoryError("Java heap space")));
        assertEquals(HeapRoom.ranOutStarting(), Main.outOfMemoryAtStart(new OutOfMemoryError()));
        assertTrue(HeapRoom.ranOutStarting().startsWith("the service ran out of heap while starting"));
    }
}
