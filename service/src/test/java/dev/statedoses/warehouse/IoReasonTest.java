package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The reason a file could not be used, not its path again (the JDK puts the path in the message). */
class IoReasonTest {

    @Test
    void theReasonIsSaidNotThePath() {
        assertEquals("permission denied", IoReason.of(new AccessDeniedException("/srv/.dwh.server.log")));
        assertEquals("no such file or directory", IoReason.of(new NoSuchFileException("/srv/.dwh/state-doses.owner")));
        assertEquals("Read-only file system",
            IoReason.of(new FileSystemException("/srv/.dwh/state-doses.owner.tmp", null, "Read-only file system")));
        assertEquals("No space left on device", IoReason.of(new IOException("No space left on device")));
        assertEquals("IOException", IoReason.of(new IOException()));
    }
}
