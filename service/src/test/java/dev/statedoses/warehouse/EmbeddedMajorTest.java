package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.TestWarehouse;
import org.junit.jupiter.api.Test;

/**
 * The major version the embedded warehouse says it runs (EmbeddedWarehouse.MAJOR, which a data
 * directory's PG_VERSION must match) is the one the jar's binaries run: the tests' server comes
 * from the same binaries, so a build that pins another version fails here until the constant,
 * and its message, follow.
 */
class EmbeddedMajorTest {

    @Test
    void theConstantIsTheMajorVersionOfTheBinaries() {
        int running = Integer.parseInt(TestWarehouse.text(TestWarehouse.environment(TestWarehouse.newDatabase()),
            "show server_version_num")) / 10_000;
        assertEquals(running, EmbeddedWarehouse.MAJOR);
    }
}
