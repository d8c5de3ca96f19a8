package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The build a run records tells apart builds of different code: a refresh of another build
 * rebuilds even from unchanged sources. Two builds of one clean commit are one; builds whose code
 * git cannot name (a source archive, uncommitted changes) are told apart by when they were made.
 */
class BuildInfoTest {

    private static final String COMMIT = "82aba9d0c5b1e2f3a4b5c6d7e8f9a0b1c2d3e4f5";

    @Test
    void oneCleanCommitIsOneBuildWhenever() {
        assertEquals("0.1.0-SNAPSHOT+" + COMMIT, BuildInfo.build("0.1.0-SNAPSHOT", COMMIT, false, "20261207T045501Z"));
        assertEquals(BuildInfo.build("0.1.0", COMMIT, false, "20261207T045501Z"),
            BuildInfo.build("0.1.0", COMMIT, false, "20270101T000000Z"));
    }

    /**
     * Two builds from source archives (no git: commit unknown) shared the version alone, and an
     * upgrade between them kept the older build's product, its checks never run by the newer.
     */
    @Test
    void buildsGitCannotNameAreToldApartByTheirTime() {
        List<String> times = List.of("20261206T223900Z", "20261207T045501Z", "20261207T045502Z");
        Set<String> ids = new HashSet<>();
        for (String time : times) {
            String archive = BuildInfo.build("0.1.0-SNAPSHOT", BuildInfo.UNKNOWN, false, time);
            String modified = BuildInfo.build("0.1.0-SNAPSHOT", COMMIT, true, time);
            assertEquals("0.1.0-SNAPSHOT+built." + time, archive);
            assertEquals("0.1.0-SNAPSHOT+" + COMMIT + ".modified.built." + time, modified);
            assertTrue(ids.add(archive) && ids.add(modified), ids.toString());
        }
        assertNotEquals(BuildInfo.build("0.1.0", COMMIT, false, "20261207T045501Z"),
            BuildInfo.build("0.1.0", COMMIT, true, "20261207T045501Z"), "the commit, and the commit with changes");
    }

    /** The id is SemVer build metadata (dot-separated [0-9A-Za-z-]): a time written another way keeps its digits. */
    @Test
    void aTimeWrittenAnotherWayKeepsToTheIdsCharacters() {
        assertEquals("1.0+built.20261207T045501Z", BuildInfo.build("1.0", BuildInfo.UNKNOWN, false, "2026-12-07T04:55:01Z"));
    }

    /** This build: the test classes run from target/, whose properties Maven filled in. */
    @Test
    void thisBuildHasItsTime() {
        assertTrue(BuildInfo.build().startsWith(BuildInfo.version() + "+"), BuildInfo.build());
        if (BuildInfo.commit().equals(BuildInfo.UNKNOWN) || BuildInfo.modified()) {
            assertTrue(BuildInfo.build().matches(".*built\\.\\d{8}T\\d{6}Z"), BuildInfo.build());
        }
    }
}
