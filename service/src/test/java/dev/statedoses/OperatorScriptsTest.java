package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * setup.sh and teardown.sh, copied into a project directory of the test's own (a path with a
 * space and a quote in it) and run as an operator runs them, on what decides before any build
 * or process: how they are started (by sh, through a link to the file), the lock that lets one
 * run at a time, and a checkout where pg_ctl could not start the embedded warehouse. What they
 * do with real processes was tried by hand (PROGRESS.md, 2026-12-02).
 */
class OperatorScriptsTest {

    @TempDir
    Path temp;
    private Path project;

    @BeforeEach
    void copyTheScripts() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash on this machine");
        // As the scripts name it: pwd -P, without links (macOS's /tmp is /private/tmp).
        project = Files.createDirectories(temp.resolve("it's a project")).toRealPath();
        copyProject(project);
    }

    private static void copyProject(Path into) throws IOException {
        Files.createDirectories(into.resolve("scripts"));
        for (String file : List.of("setup.sh", "teardown.sh", "scripts/common.sh", "database.env")) {
            Files.copy(Path.of("..").resolve(file), into.resolve(file));
        }
    }

    /** What a script printed and returned. */
    record Run(int code, String out) {
    }

    /** Runs {@code command} in {@code dir}, without a Docker engine, stdout and stderr together. */
    private Run run(Path dir, Map<String, String> env, String... command) throws Exception {
        Path out = Files.createTempFile(temp, "out", ".txt");
        Process process = builder(dir, env, command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " still runs");
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static ProcessBuilder builder(Path dir, Map<String, String> env, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        // No engine to find (DOCKER_HOST to a closed port), and no setting of the test's machine.
        builder.environment().put("DOCKER_HOST", "tcp://127.0.0.1:1");
        for (String name : List.of("DWH_DIR", "DB_HOST", "DATABASE_URL", "PORT", "STATE_DOSES_LOCK")) {
            builder.environment().remove(name);
        }
        builder.environment().putAll(env);
        return builder;
    }

    /** A bash that takes the project's lock as the scripts do, and holds it until killed. */
    private Process lockHolder() throws Exception {
        Process holder = builder(project, Map.of(), "bash", "-c",
            "root=\"$(pwd -P)\"; source ./scripts/common.sh; take_lock holder; echo held; exec sleep 300").start();
        byte[] line = holder.getInputStream().readNBytes(5);
        assertEquals("held\n", new String(line, StandardCharsets.UTF_8));
        return holder;
    }

    @Test
    void startedBySh_theScriptsGoOnInBash() throws Exception {
        Run setup = run(temp, Map.of(), "sh", project.resolve("setup.sh").toString(), "--help");
        assertEquals(0, setup.code(), setup.out());
        assertTrue(setup.out().startsWith("Build and start state-doses"), setup.out());
        Run teardown = run(temp, Map.of(), "sh", project.resolve("teardown.sh").toString());
        assertEquals(0, teardown.code(), teardown.out());
        assertEquals("Nothing to stop.\n", teardown.out());
    }

    /** The project is the file's directory, not the link's: before, common.sh was looked for beside the link. */
    @Test
    void throughALinkToTheFileOrAPathStartingWithADash_theScriptsFindTheirProject() throws Exception {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("state-doses-teardown"), project.resolve("teardown.sh"));
        Run linked = run(temp, Map.of(), bin.resolve("state-doses-teardown").toString());
        assertEquals(0, linked.code(), linked.out());
        assertEquals("Nothing to stop.\n", linked.out());

        Path dashed = temp.resolve("-dashed");
        copyProject(Files.createDirectories(dashed));
        Run dash = run(temp, Map.of(), "bash", "--", "-dashed/teardown.sh");
        assertEquals(0, dash.code(), dash.out());
        assertEquals("Nothing to stop.\n", dash.out());
    }

    @Test
    void whileAnotherRunHoldsTheLock_aScriptExits1NamingItsPid() throws Exception {
        Path lock = project.resolve(".run.lock");
        Process holder = lockHolder();
        try {
            Path held = Files.readSymbolicLink(lock);
            assertTrue(held.toString().startsWith(holder.pid() + " "), held.toString());
            for (String script : List.of("teardown.sh", "setup.sh")) {
                // Even with the variable setup.sh passes its own teardown.sh: the lock is not its parent's.
                Run refused = run(temp, Map.of("STATE_DOSES_LOCK", lock.toString()), project.resolve(script).toString());
                assertEquals(1, refused.code(), refused.out());
                assertEquals(script + ": another setup.sh or teardown.sh (PID " + holder.pid() + ") runs in " + project
                    + " (it holds .run.lock); wait for it to end, then run this again.\n", refused.out());
                assertEquals(held, Files.readSymbolicLink(lock), "the holder's lock stays");
            }
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A holder killed outright leaves its lock: the next run takes it over, and releases it. */
    @Test
    void aLockWhoseProcessIsGoneIsTakenOverAndReleased() throws Exception {
        Path lock = project.resolve(".run.lock");
        Process holder = lockHolder();
        holder.destroyForcibly();
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        assertTrue(Files.exists(lock, LinkOption.NOFOLLOW_LINKS), "SIGKILL left the lock");
        Run teardown = run(temp, Map.of(), project.resolve("teardown.sh").toString());
        assertEquals(0, teardown.code(), teardown.out());
        assertEquals("Nothing to stop.\n", teardown.out());
        assertFalse(Files.exists(lock, LinkOption.NOFOLLOW_LINKS), "the lock is released at exit");
    }

    /**
     * pg_ctl starts PostgreSQL through a shell: a checkout whose path holds a $, ` or " (or a
     * DWH_DIR that does) is refused before the build, naming the directory, and nothing is made.
     */
    @Test
    void aCheckoutWherePgCtlCouldNotStartTheWarehouseIsRefusedBeforeTheBuild() throws Exception {
        List<String> refusals = new ArrayList<>();
        for (String name : List.of("d$x", "a`b", "q\"r")) {
            Path checkout = Files.createDirectories(temp.resolve(name).resolve("clone")).toRealPath();
            copyProject(checkout);
            Run setup = run(temp, Map.of(), checkout.resolve("setup.sh").toString());
            assertEquals(1, setup.code(), setup.out());
            assertTrue(setup.out().endsWith("setup.sh: the embedded warehouse's data directory " + checkout + "/.dwh"
                + " has a $, `, \" or \\ in its path, which PostgreSQL's pg_ctl passes through a shell; set DWH_DIR "
                + "to a directory without them.\n"), setup.out());
            assertFalse(setup.out().contains("Building"), setup.out());
            assertFalse(Files.exists(checkout.resolve(".dwh")), name);
            refusals.add(name);
        }
        // The same through DWH_DIR, from a checkout whose own path is fine.
        Path dollar = temp.toRealPath().resolve("w$h");
        Run viaSetting = run(temp, Map.of("DWH_DIR", dollar.toString()), project.resolve("setup.sh").toString());
        assertEquals(1, viaSetting.code(), viaSetting.out());
        assertTrue(viaSetting.out().contains("data directory " + dollar + " has a $"), viaSetting.out());
        assertEquals(3, refusals.size());
    }
}
