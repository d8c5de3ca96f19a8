package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner's record in the data directory, and when it names a process that still runs. */
class WarehouseOwnerTest {

    @TempDir
    Path dir;

    @Test
    void thisProcessRecordedIsAliveAndRemovesItsOwnRecord() {
        WarehouseOwner.current().recordIn(dir);

        WarehouseOwner recorded = WarehouseOwner.recordedIn(dir).orElseThrow();
        assertEquals(ProcessHandle.current().pid(), recorded.pid());
        assertTrue(recorded.isAlive());

        recorded.removeFrom(dir);
        assertFalse(Files.exists(dir.resolve(WarehouseOwner.FILE)));
    }

    /** A PID reused by another program: same number, another start. */
    @Test
    void aLivePidThatStartedAtAnotherTimeIsNotTheOwner() throws Exception {
        long pid = ProcessHandle.current().pid();
        Files.writeString(dir.resolve(WarehouseOwner.FILE),
            "pid=" + pid + "\nstarted=2001-01-01T00:00:00Z\nstart_ticks=1\n");
        assertFalse(WarehouseOwner.recordedIn(dir).orElseThrow().isAlive());

        Files.writeString(dir.resolve(WarehouseOwner.FILE), "pid=" + pid + "\nstarted=2001-01-01T00:00:00Z\n");
        assertFalse(WarehouseOwner.recordedIn(dir).orElseThrow().isAlive(), "compared by start instant");
    }

    @Test
    void aProcessThatExitedIsNotAlive() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        Files.writeString(dir.resolve(WarehouseOwner.FILE), "pid=" + gone.pid() + "\n");

        assertFalse(WarehouseOwner.recordedIn(dir).orElseThrow().isAlive());
    }

    @Test
    void aRecordOfAnotherProcessIsNotRemoved() throws Exception {
        Files.writeString(dir.resolve(WarehouseOwner.FILE), "pid=1\n");

        WarehouseOwner.current().removeFrom(dir);

        assertEquals(1, WarehouseOwner.recordedIn(dir).orElseThrow().pid());
    }

    @Test
    void noRecordOrAnUnreadableOneIsNoOwner() throws Exception {
        assertTrue(WarehouseOwner.recordedIn(dir).isEmpty());
        Files.writeString(dir.resolve(WarehouseOwner.FILE), "pid=twelve\n");
        assertTrue(WarehouseOwner.recordedIn(dir).isEmpty());
    }
}
