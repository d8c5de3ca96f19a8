package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.ServiceProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who stops the embedded warehouse, with real processes in local mode (no DB_HOST): the process
 * that started the server owns it (state-doses.owner in the data directory) and stops it as it
 * exits. Another process finding it running joins it while that owner lives, and stops it first
 * when the owner was killed outright, so that no PostgreSQL outlives every service.
 */
class EmbeddedWarehouseProcessTest {

    @TempDir
    Path dwh;

    /**
     * Whatever a test left running on the data directory, or on one in it (a test of several new
     * directories), stopped before it is deleted.
     */
    @AfterEach
    void stopLeftoverServer() throws Exception {
        List<Path> dirs = new ArrayList<>(List.of(dwh));
        try (Stream<Path> inside = Files.list(dwh)) {
            inside.filter(Files::isDirectory).forEach(dirs::add);
        }
        for (Path dir : dirs) {
            Optional<Long> pid = postmasterPid(dir);
            if (pid.isPresent() && running(pid.get())) {
                new ProcessBuilder("kill", "-INT", pid.get().toString()).start().waitFor();
                waitUntilStopped(pid.get());
            }
        }
    }

    @Test
    void aServerLeftByAKilledServiceIsStoppedByTheNextStart() throws Exception {
        Map<String, String> env = localMode(Map.of());

        long killed;
        long orphan;
        try (ServiceProcess first = ServiceProcess.start("serve", env)) {
            first.awaitServing();
            killed = first.pid();
            orphan = postmasterPid().orElseThrow();
            assertEquals(Optional.of(killed), ownerPid(), "the service that started the server owns it");
            first.kill();
        }
        assertTrue(running(orphan), "a SIGKILLed service cannot stop its server: it should still run");
        assertEquals(Optional.of(orphan), postmasterPid());

        long next;
        long server;
        try (ServiceProcess second = ServiceProcess.start("serve", env)) {
            int port = second.awaitServing();
            next = second.pid();
            assertTrue(second.log().contains("WARN  EmbeddedWarehouse embedded warehouse left running by a stopped"
                + " process (PID " + killed + "): stopped it, starting afresh"), second.log());
            server = postmasterPid().orElseThrow();
            assertNotEquals(orphan, server, "a server of its own, not the orphan");
            assertFalse(running(orphan), "the orphan still runs");
            assertEquals(Optional.of(next), ownerPid());
            assertEquals(200, get(port, "/ratios").statusCode());

            second.sigterm();
            assertEquals(143, second.awaitExit(Duration.ofSeconds(60)), second.log());
        }
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")), "a PostgreSQL server is left on " + dwh);
        assertFalse(running(server), "the second service's server is left running");
        assertFalse(running(orphan), "the orphan is left running");
        assertFalse(Files.exists(dwh.resolve("state-doses.owner")), "the owner's record outlived its server");
    }

    @Test
    void aLiveOwnersServerIsJoinedAndLeftRunning() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config sources = upstream.serveFixtureSources(Config.fromEnvironment(Map.of()));
            Map<String, String> env = localMode(Map.of(
                "MODERNA_URL", sources.modernaUrl().toString(),
                "PFIZER_URL", sources.pfizerUrl().toString(),
                "COUNTY_POPULATION_URL", sources.countyPopulationUrl().toString()));

            long server;
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                int port = serve.awaitServing();
                server = postmasterPid().orElseThrow();
                assertEquals(Optional.of(serve.pid()), ownerPid());

                try (ServiceProcess refresh = ServiceProcess.start("refresh", env)) {
                    assertEquals(0, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
                    assertTrue(refresh.log().contains("INFO  EmbeddedWarehouse embedded warehouse already running on port "
                        + env.get("DB_PORT") + " (data in " + dwh + ", started by PID " + serve.pid() + "): using it"),
                        refresh.log());
                    assertFalse(refresh.log().contains("left running by a stopped process"), refresh.log());
                }
                assertTrue(running(server), "the refresh command stopped the service's server");
                assertEquals(Optional.of(server), postmasterPid());
                assertEquals(Optional.of(serve.pid()), ownerPid(), "the service still owns the server");

                // The service reads the product the refresh built, through the same server.
                HttpResponse<String> ny = awaitProduct(port);
                assertTrue(ny.body().contains("\"doses_total\":7500"), ny.body());

                serve.sigterm();
                assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
            }
            assertFalse(running(server), "the owner exited and left its server running");
            assertFalse(Files.exists(dwh.resolve("postmaster.pid")));
        }
    }

    /**
     * A SIGTERM during the start, once the embedded server runs and before the service serves (the
     * migrations, the product's read, the warm-up): the server was left running, orphaned, holding
     * its port until the next start, each time (the library's own hook is off, and the service's
     * was not registered yet). It stops with the JVM now; and a SIGTERM once the service serves
     * still stops it after the requests, as before.
     * <p>
     * And it is said in a line: the hook stopped the server under the statements of the start,
     * which printed the pool's and JDBI's warnings and stack traces (a dozen lines or more), and a
     * last line that blamed the warehouse ("error: cannot prepare the warehouse ...: FATAL:
     * terminating connection due to administrator command"). Signalled as the server has started
     * (on a new directory and on one that holds a warehouse) and as the migrations are done, for
     * both commands that start.
     */
    @Test
    void aSignalDuringTheStartStopsTheServerItStartedAndSaysSo() throws Exception {
        record Signal(String command, String dir, String after) {
        }
        List<Signal> signals = List.of(
            new Signal("serve", "a", "warehouse: embedded PostgreSQL, data in"),
            new Signal("refresh", "a", "warehouse: embedded PostgreSQL, data in"),
            new Signal("serve", "a", "warehouse: embedded PostgreSQL, data in"),
            new Signal("serve", "b", "INFO  Migrations applied"),
            new Signal("refresh", "c", "INFO  Migrations applied"));
        for (Signal signal : signals) {
            String what = signal.command() + " on " + signal.dir() + ", signalled after '" + signal.after() + "'";
            Path dir = dwh.resolve(signal.dir());
            Map<String, String> env = localMode(Map.of());
            env.put("DWH_DIR", dir.toString());
            long server;
            String log;
            int exit;
            try (ServiceProcess start = ServiceProcess.start(signal.command(), env)) {
                start.awaitLog(signal.after(), Duration.ofSeconds(90));
                server = postmasterPid(dir).orElseThrow();
                start.sigterm();
                exit = start.awaitExit(Duration.ofSeconds(60));
                log = start.log();
            }
            waitUntilStopped(server);
            assertFalse(running(server), what + ": a signal during the start left its server running");
            assertFalse(Files.exists(dir.resolve("postmaster.pid")), what);
            assertEquals(143, exit, what + ": " + log);
            assertFalse(log.contains("\tat ") || log.contains(" WARN ") || log.contains(" ERROR ")
                || log.contains("FATAL") || log.contains("error:"), what + ": " + log);
            List<String> lines = log.lines().toList();
            String last = lines.get(lines.size() - 1);
            assertTrue(signal.command().equals("serve")
                ? last.endsWith("INFO  Main stopped during the start, as asked; it did not serve")
                : last.equals("stopped before the refresh began, as asked (SIGTERM or Ctrl-C): the product is unchanged"),
                what + ": " + log);
        }
    }

    /**
     * A SIGTERM as the refresh command ends, while it closes the warehouse (the embedded server's
     * stop takes half a second): its hook came off as the refresh returned, so the JVM ended
     * there, before a failure was printed, and with the server still running (by hand, 3 of 3).
     * The hook now stays on until the command has said its last and closed the warehouse: a
     * failure's line and a success's report are printed, and the server is stopped.
     */
    @Test
    void aSignalAsTheRefreshCommandEndsKeepsItsLastWordAndStopsTheServer() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config sources = upstream.serveFixtureSources(Config.fromEnvironment(Map.of()));
            Map<String, String> good = localMode(Map.of(
                "MODERNA_URL", sources.modernaUrl().toString(),
                "PFIZER_URL", sources.pfizerUrl().toString(),
                "COUNTY_POPULATION_URL", sources.countyPopulationUrl().toString()));
            Map<String, String> bad = new HashMap<>(good);
            bad.put("MODERNA_URL", "file:/nonexistent/moderna.csv");
            for (Map<String, String> env : List.of(bad, good, bad)) {
                boolean fails = env == bad;
                long server;
                int exit;
                String log;
                String out;
                try (ServiceProcess refresh = ServiceProcess.start("refresh", env)) {
                    // At the line, as it is read: polling for it let a good refresh, whose line
                    // waits in the log's buffer, end on its own first (once, in a read-through run).
                    refresh.sigtermAt(fails ? "WARN  RefreshService run=" : "INFO  RefreshService refresh ");
                    refresh.awaitLog("warehouse: embedded PostgreSQL, data in", Duration.ofSeconds(90));
                    server = postmasterPid().orElseThrow();
                    exit = refresh.awaitExit(Duration.ofSeconds(60));
                    log = refresh.log();
                    out = refresh.stdout();
                }
                String what = (fails ? "a failed" : "a good") + " refresh: " + log;
                // A good refresh's line is INFO, written out up to 200 ms late: one that ended on
                // its own before the signal came (0) must have done all the same.
                assertTrue(exit == 143 || !fails && exit == 0, "exit " + exit + ", " + what);
                if (fails) {
                    assertTrue(log.contains("refresh failed, the product is unchanged: moderna source "
                        + "(file:/nonexistent/moderna.csv): no such file: /nonexistent/moderna.csv [run "), what);
                } else {
                    assertTrue(out.contains("people_per_dose"), what + "\nstdout: " + out);
                }
                waitUntilStopped(server);
                assertFalse(running(server), what);
                assertFalse(Files.exists(dwh.resolve("postmaster.pid")), what);
            }
        }
    }

    /**
     * A SIGTERM while the start waits its turn at the directory (another process starting or
     * stopping its server holds the start lock, for up to a minute): the wait ends at once, and
     * the process says it stopped during the start, rather than wait out the 10 s a signal gives
     * the start's step under way (StartSteps). Held here by this JVM.
     */
    @Test
    void aSignalWhileTheStartWaitsItsTurnEndsTheWaitAtOnce() throws Exception {
        Path lockFile = dwh.resolveSibling(dwh.getFileName() + ".start-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock();
             ServiceProcess serve = ServiceProcess.start("serve", localMode(Map.of()))) {
            assertTrue(held.isValid());
            serve.awaitLog("another process is starting or stopping the embedded warehouse in", Duration.ofSeconds(60));
            serve.sigtermDuringTheStart(Duration.ofSeconds(8));
        } finally {
            Files.deleteIfExists(lockFile);
        }
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")), "no server was started");
    }

    /**
     * A SIGTERM as the service has just begun to serve: the warm-up starts after "serving on",
     * and its thread ran before the shutdown could find it, so the shutdown did not wait for it
     * and closed the pool under its look at the schema (the pool's warning and a stack trace),
     * and its last line came after "stopped". Signalled the moment the line after "serving on"
     * is read (REFRESH_TOKEN's warning, written out at once), twelve times: the code before
     * failed in about one try in eight (3 of 25 by hand), this fails on any one.
     */
    @Test
    void aSignalAsTheServiceBeginsToServeWaitsForItsWarmUp() throws Exception {
        Map<String, String> env = localMode(Map.of());
        try (ServiceProcess first = ServiceProcess.start("serve", env)) {
            first.awaitServing();
            first.sigterm();
            assertEquals(143, first.awaitExit(Duration.ofSeconds(60)), first.log());
        }
        for (int i = 0; i < 12; i++) {
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                serve.sigtermAt("REFRESH_TOKEN is not set");
                assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
                String log = serve.log();
                assertTrue(log.contains("REFRESH_TOKEN is not set"), log);
                assertFalse(log.contains("\tat ") || log.contains(" ERROR "), "try " + i + ": " + log);
                List<String> lines = log.lines().toList();
                assertTrue(lines.get(lines.size() - 1).endsWith("INFO  Main stopped"), "try " + i + ": " + log);
            }
        }
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")));
    }

    /**
     * A SIGTERM while the library runs initdb and starts the server on a new directory left the
     * server running with no process of ours and no owner recorded (a new directory is claimed
     * once its server runs), and no later start stopped it: it joined it as one "started by
     * hand" (a README walk-through: 4 of 7 signals about a second after the start). Signalled at
     * each step of a new directory's start, as soon as the step shows in the directory: initdb
     * under way, the server starting, the owner just recorded.
     */
    @Test
    void aSignalWhileANewDirectorysServerStartsStopsIt() throws Exception {
        List<String> left = new ArrayList<>();
        int round = 0;
        for (String step : List.of("PG_VERSION", "postmaster.pid", "postmaster.pid", "state-doses.owner")) {
            Path dir = dwh.resolve("new-" + round++);
            Map<String, String> env = localMode(Map.of());
            env.put("DWH_DIR", dir.toString());
            try (ServiceProcess start = ServiceProcess.start("serve", env)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (!Files.exists(dir.resolve(step)) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(Files.exists(dir.resolve(step)), step + " never showed in " + dir + ": " + start.log());
                start.sigterm();
                start.awaitExit(Duration.ofSeconds(90));
            }
            Optional<Long> server = postmasterPid(dir);
            if (server.isPresent()) {
                waitUntilStopped(server.get());
                if (running(server.get())) {
                    left.add("signalled once " + step + " showed: server PID " + server.get() + " left running");
                    new ProcessBuilder("kill", "-INT", server.get().toString()).start().waitFor();
                    waitUntilStopped(server.get());
                }
            }
        }
        assertEquals(List.of(), left);
    }

    /**
     * A java.io.tmpdir that cannot be written: the embedded library's probe of the Linux
     * distribution, which writes a script there, logged an ERROR with a stack trace of 25 lines,
     * though the start went on without it (here the library's binaries are unpacked elsewhere,
     * as the build's ot.epg.working-dir says) or failed in one line of ours.
     */
    @Test
    void aTemporaryDirectoryThatCannotBeWrittenLogsNoStackTrace() throws Exception {
        Path file = Files.createTempFile("state-doses-tmpdir", ".not-a-directory");
        try (ServiceProcess serve = ServiceProcess.start(List.of("-Djava.io.tmpdir=" + file), List.of("serve"),
                localMode(Map.of()))) {
            serve.awaitServing();
            String log = serve.log();
            serve.sigterm();
            assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
            assertTrue(log.contains("warehouse: embedded PostgreSQL, data in"), log);
            assertFalse(log.contains("\tat "), "no stack trace: " + log);
            assertFalse(log.contains(" ERROR "), log);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A data directory whose server stops as it starts: the library waited its whole minute for a
     * connection though pg_ctl had said within a tenth of a second that the server could not
     * start, and then failed with guesses ("is the port taken? … can java.io.tmpdir be written?"),
     * the server's own words silenced with the library's logger. Each damage here, drawn in a new
     * form each run, must fail both commands within seconds, quoting the server, naming the file
     * beside DWH_DIR where all it printed is kept, with nothing left running or recorded, and
     * without signalling the process a stale postmaster.pid names (the library's stop would).
     */
    @Test
    void aDirectoryWhoseServerStopsAsItStartsFailsAtOnceInTheServersWords() throws Exception {
        Map<String, String> env = localMode(Map.of());
        serveOnceAndStop(List.of(), env);
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        Process stale = new ProcessBuilder("sleep", "300").start();
        try {
            String setting = "x" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            String mode = List.of("rwxr-xr-x", "rwxrwxrwx", "rwx---r-x", "rwxrwx---").get(random.nextInt(4));
            String hbaWord = "nonsense" + random.nextInt(1000);
            Map<String, Damage> damages = new LinkedHashMap<>();
            damages.put("an unknown setting " + setting, new Damage(dir -> Files.writeString(dir.resolve("postgresql.conf"),
                "\n" + setting + " = " + random.nextInt(100) + "\n", StandardOpenOption.APPEND),
                "LOG: unrecognized configuration parameter \"" + setting + "\""));
            damages.put("permissions " + mode, new Damage(dir -> Files.setPosixFilePermissions(dir,
                PosixFilePermissions.fromString(mode)),
                "FATAL: data directory \"" + "%s" + "\" has invalid permissions"));
            damages.put("no pg_control", new Damage(dir -> Files.delete(dir.resolve("global").resolve("pg_control")),
                "but could not open file \"" + "%s" + "/global/pg_control\": No such file or directory"));
            damages.put("no pg_wal", new Damage(dir -> deleteTree(dir.resolve("pg_wal")),
                "FATAL: required WAL directory \"pg_wal\" does not exist"));
            damages.put("a line of pg_hba.conf it cannot read", new Damage(dir -> Files.writeString(
                dir.resolve("pg_hba.conf"), hbaWord + " all all trust\n", StandardOpenOption.APPEND),
                "LOG: invalid connection type \"" + hbaWord + "\""));
            damages.put("a postmaster.pid naming another program", new Damage(dir -> Files.writeString(
                dir.resolve("postmaster.pid"), stale.pid() + "\n" + dir + "\n"),
                "FATAL: lock file \"postmaster.pid\" already exists"));
            damages.put("no PG_VERSION", new Damage(dir -> Files.delete(dir.resolve("PG_VERSION")),
                "pg_ctl: directory \"" + "%s" + "\" is not a database cluster directory"));
            List<String> wrong = new ArrayList<>();
            int n = 0;
            for (Map.Entry<String, Damage> damage : damages.entrySet()) {
                Path copy = dwh.resolve("damaged-" + n++);
                copyTree(dwh, copy);
                damage.getValue().apply().to(copy);
                Map<String, String> there = new HashMap<>(env);
                there.put("DWH_DIR", copy.toString());
                String words = damage.getValue().words().replace("%s", copy.toString());
                for (List<String> command : List.of(List.of("serve"), List.of("refresh", "--json"))) {
                    try (ServiceProcess process = ServiceProcess.start(command, there)) {
                        // The library's own wait was 60 s: well under it, on any machine.
                        int code = process.awaitExit(Duration.ofSeconds(30));
                        String log = process.log();
                        String said = "error: cannot use the warehouse embedded in " + copy + ": cannot start the"
                            + " embedded warehouse in " + copy + " on port " + env.get("DB_PORT")
                            + ": its PostgreSQL server stopped as it started, saying: ";
                        if (code != 1 || !log.contains(said) || !log.contains(words)
                            || !log.contains("(all they printed is in " + copy + ".server.log)")
                            || log.contains("\tat ") || log.contains(" ERROR ") || log.contains("is the port taken")
                            || (command.size() == 2
                                && !process.stdout().startsWith("{\"type\":\"/problems/warehouse-unavailable\""))) {
                            wrong.add(damage.getKey() + ", " + command + ": exit " + code + ", expected the words ["
                                + words + "]:\n" + log + process.stdout());
                        }
                    }
                    if (Files.exists(copy.resolve("state-doses.owner"))) {
                        wrong.add(damage.getKey() + ", " + command + ": an owner is recorded for a server that never ran");
                    }
                    Optional<Long> server = postmasterPid(copy).filter(pid -> pid != stale.pid());
                    if (server.isPresent() && running(server.get())) {
                        wrong.add(damage.getKey() + ", " + command + ": a server is left running, PID " + server.get());
                    }
                }
                assertTrue(stale.isAlive(), "the program a stale postmaster.pid names was signalled (after "
                    + damage.getKey() + ")");
            }
            assertEquals(List.of(), wrong, "seed " + seed);
        } finally {
            stale.destroy();
        }

        // What the damaged copies failed on, the warehouse they were copied from starts on, as before.
        serveOnceAndStop(List.of(), env);
    }

    /**
     * The PostgreSQL programs the library unpacks once per machine, damaged as a full disk left
     * them: the library logs each file it could not write and marks the directory whole all the
     * same, so an empty initdb and pg_ctl "succeeded" without a word and every start after that
     * waited the library's minute, then guessed at the port (and a later unpack keeps the files
     * that exist). The start must find the damage within seconds, on an existing warehouse and
     * on a new one, say so in one line, remove the programs, and the next start must unpack them
     * afresh and serve.
     */
    @Test
    void damagedProgramsAreFoundRemovedAndUnpackedAfreshByTheNextStart(@TempDir Path working) throws Exception {
        List<String> here = List.of("-Dot.epg.working-dir=" + working);
        Map<String, String> env = localMode(Map.of());
        serveOnceAndStop(here, env);
        Path programs;
        try (Stream<Path> unpacked = Files.list(working)) {
            programs = unpacked.filter(p -> p.getFileName().toString().startsWith("PG-")).findFirst().orElseThrow();
        }

        // On the existing warehouse: pg_ctl empty (it ends at once, with success and without a word), initdb
        // cut short.
        damage(programs, "bin/pg_ctl", "bin/initdb");
        try (ServiceProcess serve = ServiceProcess.start(here, List.of("serve"), env)) {
            assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
            assertDamageSaid(serve.log(), dwh, env, programs, "2 of its ", "(bin/initdb, bin/pg_ctl; unpacked onto a full disk? ");
        }
        assertFalse(Files.exists(programs), "the damaged programs were kept");
        serveOnceAndStop(here, env);

        // On a new warehouse: initdb empty, which made nothing and said nothing.
        damage(programs, "bin/initdb");
        Map<String, String> fresh = new HashMap<>(env);
        Path made = dwh.resolve("new");
        fresh.put("DWH_DIR", made.toString());
        try (ServiceProcess refresh = ServiceProcess.start(here, List.of("refresh", "--json"), fresh)) {
            assertEquals(1, refresh.awaitExit(Duration.ofSeconds(30)), refresh.log());
            assertDamageSaid(refresh.log(), made, env, programs, "1 of its ", "(bin/initdb; unpacked onto a full disk? ");
            assertTrue(refresh.stdout().startsWith("{\"type\":\"/problems/warehouse-unavailable\""), refresh.stdout());
        }
        assertFalse(Files.exists(programs), "the damaged programs were kept");
        assertFalse(Files.exists(made), "the start left the directory it made, with the library's lock file in it");
        serveOnceAndStop(here, fresh);
    }

    /**
     * Empties the first of {@code files} under {@code programs} and cuts the others to half, as a
     * full disk leaves them, keeping the library's mark that the directory is whole the newest.
     */
    private static void damage(Path programs, String... files) throws IOException, InterruptedException {
        for (int i = 0; i < files.length; i++) {
            Path file = programs.resolve(files[i]);
            long size = Files.size(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(i == 0 ? 0 : size / 2);
            }
        }
        Thread.sleep(50);
        Files.setLastModifiedTime(programs.resolve(".exists"), FileTime.from(Instant.now().plusSeconds(1)));
    }

    private static void assertDamageSaid(String log, Path dir, Map<String, String> env, Path programs, String count,
                                         String which) {
        assertTrue(log.contains("error: cannot use the warehouse embedded in " + dir + ": cannot start the embedded"
            + " warehouse in " + dir + " on port " + env.get("DB_PORT") + ": the embedded PostgreSQL's programs unpacked"
            + " in " + programs + " were damaged, " + count), log);
        assertTrue(log.contains(" files missing or cut short " + which), log);
        assertTrue(log.contains(" MB was free there): removed them, so that the next start unpacks them afresh"), log);
        assertFalse(log.contains("\tat "), "no stack trace: " + log);
        assertFalse(log.contains(" ERROR "), log);
    }

    /**
     * A server that starts but cannot be reached as the library reaches it (127.0.0.1, the
     * superuser): pg_ctl saw it ready, and the library tried to connect for its minute, then gave
     * up with guesses and left the server running, owned by no one. Every later start joined it
     * as a server "started by hand" and failed on it, even once its configuration was mended. Each
     * must fail within seconds, saying why, stop its server, and start once mended.
     */
    @Test
    void aServerThatCannotBeReachedIsSaidAndStoppedAndMendedStartsServe() throws Exception {
        Map<String, String> env = localMode(Map.of());
        serveOnceAndStop(List.of(), env);
        String port = env.get("DB_PORT");
        Path conf = dwh.resolve("postgresql.conf");
        Path hba = dwh.resolve("pg_hba.conf");
        String confBefore = Files.readString(conf);
        String hbaBefore = Files.readString(hba);
        Map<String, String> words = new LinkedHashMap<>();
        words.put("listen_addresses = ''", "(Connection to 127.0.0.1:" + port + " refused.");
        words.put("host all all 127.0.0.1/32 reject", "(FATAL: pg_hba.conf rejects connection for host \"127.0.0.1\"");
        for (Map.Entry<String, String> damage : words.entrySet()) {
            if (damage.getKey().startsWith("host")) {
                Files.writeString(hba, damage.getKey() + "\n" + hbaBefore);
            } else {
                Files.writeString(conf, confBefore + "\n" + damage.getKey() + "\n");
            }
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
                String log = serve.log();
                assertTrue(log.contains("error: cannot use the warehouse embedded in " + dwh + ": cannot start the"
                    + " embedded warehouse in " + dwh + " on port " + port + ": its PostgreSQL server started, but could"
                    + " not be reached on 127.0.0.1:" + port + " " + damage.getValue()), damage.getKey() + ": " + log);
                assertTrue(log.contains("; see listen_addresses in its postgresql.conf, and its pg_hba.conf): it was"
                    + " stopped (all they printed is in " + dwh + ".server.log)"), log);
                assertFalse(log.contains("\tat "), "no stack trace: " + log);
            }
            Optional<Long> left = postmasterPid();
            assertTrue(left.isEmpty() || !running(left.get()), damage.getKey() + ": its server was left running");
            Files.writeString(conf, confBefore);
            Files.writeString(hba, hbaBefore);
            try (ServiceProcess mended = ServiceProcess.start("serve", env)) {
                assertEquals(200, get(mended.awaitServing(), "/ratios").statusCode());
                assertFalse(mended.log().contains("already running"), mended.log());
                mended.sigterm();
                assertEquals(143, mended.awaitExit(Duration.ofSeconds(60)), mended.log());
            }
        }
    }

    /**
     * A warehouse directory in which the owner's record cannot be written (a read-only mount, a
     * full disk, another user's directory; here a directory where its temporary file goes): a
     * stack trace of 27 lines from serve, and "Something unexpected failed" from refresh. One
     * line now, naming the file and why.
     */
    @Test
    void aWarehouseDirectoryThatCannotBeWrittenIsOneLine() throws Exception {
        Map<String, String> env = localMode(Map.of());
        serveOnceAndStop(List.of(), env);
        Path blocked = dwh.resolve("state-doses.owner.tmp");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("keep"), "so that it cannot be replaced");
        String line = "error: cannot use the warehouse embedded in " + dwh + ": cannot write in the embedded warehouse's"
            + " directory (its owner's record, " + dwh.resolve("state-doses.owner") + ": ";
        try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
            assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
            assertTrue(serve.log().contains(line), serve.log());
            assertTrue(serve.log().contains("): it must be writable by this process, on a disk with free space"),
                serve.log());
            assertFalse(serve.log().contains("\tat "), "no stack trace: " + serve.log());
        }
        try (ServiceProcess refresh = ServiceProcess.start(List.of("refresh", "--json"), env)) {
            assertEquals(1, refresh.awaitExit(Duration.ofSeconds(30)), refresh.log());
            assertTrue(refresh.log().contains(line), refresh.log());
            assertTrue(refresh.stdout().startsWith("{\"type\":\"/problems/warehouse-unavailable\""), refresh.stdout());
        }
        Optional<Long> left = postmasterPid();
        assertTrue(left.isEmpty() || !running(left.get()), "a server was left running");
    }

    /**
     * A DWH_DIR that is not empty and holds no warehouse (a directory of other files named by
     * mistake): initdb refuses it, and the start said only that the library's "Process [unshare,
     * -U, …/initdb, …] failed", with guesses. It quotes initdb now, and says what to do.
     */
    @Test
    void aDirectoryInitdbRefusesIsRefusedInItsWords() throws Exception {
        Map<String, String> env = localMode(Map.of());
        Path notes = dwh.resolve("notes.txt");
        Files.writeString(notes, "not a warehouse");
        try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
            assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
            String log = serve.log();
            assertTrue(log.contains("error: cannot use the warehouse embedded in " + dwh + ": cannot start the embedded"
                + " warehouse in " + dwh + " on port " + env.get("DB_PORT") + ": initdb could not make it a data"
                + " directory, saying: initdb: error: directory \"" + dwh + "\" exists but is not empty; initdb: hint: "),
                log);
            assertTrue(log.endsWith("(all they printed is in " + dwh + ".server.log); set DWH_DIR to a new or empty"
                + " directory\n"), log);
            assertFalse(log.contains("is the port taken"), log);
            assertFalse(log.contains("\tat "), "no stack trace: " + log);
        }
        assertEquals("not a warehouse", Files.readString(notes));
        try (Stream<Path> inside = Files.list(dwh)) {
            assertEquals(List.of(notes), inside.toList(), "the start left something in a directory it refused");
        }

        // A locale that does not exist, under which initdb refuses to make any: said, and what to do.
        Map<String, String> badLocale = localMode(Map.of("LC_ALL", "xx_XX.UTF-8"));
        Path made = dwh.resolve("made");
        badLocale.put("DWH_DIR", made.toString());
        try (ServiceProcess serve = ServiceProcess.start("serve", badLocale)) {
            assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
            String log = serve.log();
            assertTrue(log.contains(": initdb could not make it a data directory, saying: initdb: error: invalid locale"
                + " settings; check LANG and LC_* environment variables"), log);
            assertTrue(log.endsWith("; start it under a UTF-8 locale (LANG or LC_ALL, for example C.UTF-8)\n"), log);
            assertFalse(log.contains("set DWH_DIR"), log);
        }
        assertFalse(Files.exists(made), "the start left the directory it made");
    }

    /**
     * As root, the embedded library runs PostgreSQL's programs through `unshare -U`, as another
     * user; without it on the PATH it runs them as root, which they refuse, and the start quoted
     * only "cannot be run as root". It says what to do now. (Only as root: another user's start
     * needs no unshare.)
     */
    @Test
    void asRootWithoutUnshareTheStartSaysWhatToDo() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
            "skipped: the tests do not run as root, and only root needs unshare");
        Map<String, String> env = localMode(Map.of("PATH", dwh.resolve("no-programs-here").toString()));
        Path made = dwh.resolve("new");
        env.put("DWH_DIR", made.toString());
        try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
            assertEquals(1, serve.awaitExit(Duration.ofSeconds(30)), serve.log());
            String log = serve.log();
            assertTrue(log.contains(": initdb could not make it a data directory, saying: initdb: error: cannot be run as"
                + " root"), log);
            assertTrue(log.endsWith("; run the service as another user than root, or give it util-linux's unshare on"
                + " the PATH (the embedded library runs PostgreSQL's programs through it, as another user, when it runs"
                + " as root)\n"), log);
        }
        assertFalse(Files.exists(made), "the start left the directory it made");
    }

    /**
     * Serves on {@code env}'s warehouse (made there if new), answers GET /ratios, and stops on
     * SIGTERM: a warehouse to damage, or one mended that must start again.
     */
    private static void serveOnceAndStop(List<String> jvmOptions, Map<String, String> env) throws Exception {
        try (ServiceProcess serve = ServiceProcess.start(jvmOptions, List.of("serve"), env)) {
            assertEquals(200, get(serve.awaitServing(), "/ratios").statusCode(), serve.log());
            serve.sigterm();
            assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
        }
    }

    /** A damage done to a copy of a warehouse directory, and the words its server says of it. */
    private record Damage(DirectoryChange apply, String words) {
    }

    @FunctionalInterface
    private interface DirectoryChange {
        void to(Path dir) throws IOException;
    }

    /** A copy of the warehouse directory {@code from}, its files' permissions with them, but for the copies made in it. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(file -> !from.relativize(file).toString().startsWith("damaged-")).toList()) {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A data directory that cannot be made: one line and a 503 problem, not a refresh that failed
     * "unexpectedly" (an internal-error problem pointing at a log that had nothing more).
     */
    @Test
    void aDirectoryTheWarehouseCannotBeMadeInIsOneLine() throws Exception {
        Path file = dwh.resolve("a-file");
        Files.writeString(file, "not a directory");
        Map<String, String> env = localMode(Map.of());
        env.put("DWH_DIR", file.resolve("dwh").toString());
        try (ServiceProcess refresh = ServiceProcess.start(List.of("refresh", "--json"), env)) {
            assertEquals(1, refresh.awaitExit(Duration.ofSeconds(60)), refresh.log());
            assertTrue(refresh.log().contains("error: cannot use the warehouse embedded in " + file.resolve("dwh")
                + ": cannot create the embedded warehouse's directory " + file.resolve("dwh")), refresh.log());
            assertTrue(refresh.log().contains("set DWH_DIR to a directory this process may write"), refresh.log());
            assertTrue(refresh.stdout().startsWith("{\"type\":\"/problems/warehouse-unavailable\""), refresh.stdout());
            assertFalse(refresh.log().contains("\tat "), "no stack trace: " + refresh.log());
        }
    }

    /**
     * DB_PORT held by a program that takes connections and never answers (here a socket that never
     * accepts: the kernel completes the handshake all the same). The start hung for ever, in the
     * embedded library's readiness check (a read with no timeout), saying nothing; now it is one
     * line, a 503 problem for refresh --json, and serve stops in the same line.
     */
    @Test
    void aPortHeldByAProgramThatIsNotPostgresIsOneLine() throws Exception {
        Map<String, String> env = localMode(Map.of());
        int port = Integer.parseInt(env.get("DB_PORT"));
        String line = "error: cannot use the warehouse embedded in " + dwh + ": port " + port
            + " on 127.0.0.1 is taken by a program that does not answer as PostgreSQL";
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress("127.0.0.1", port));
            try (ServiceProcess refresh = ServiceProcess.start(List.of("refresh", "--json"), env)) {
                assertEquals(1, refresh.awaitExit(Duration.ofSeconds(60)), refresh.log());
                assertTrue(refresh.log().contains(line), refresh.log());
                assertTrue(refresh.log().contains("; set DB_PORT to a free port for the embedded warehouse"),
                    refresh.log());
                assertTrue(refresh.stdout().startsWith("{\"type\":\"/problems/warehouse-unavailable\""),
                    refresh.stdout());
                assertFalse(refresh.log().contains("\tat "), "no stack trace: " + refresh.log());
            }
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                assertEquals(1, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
                assertTrue(serve.log().contains(line), serve.log());
                assertFalse(serve.log().contains("\tat "), "no stack trace: " + serve.log());
            }
        }
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")), "a server was started beside the program");

        // On a DWH_DIR the start makes: it takes it back, empty, as it fails (its start lock stays, as always).
        Map<String, String> fresh = new HashMap<>(env);
        Path made = dwh.resolve("made").resolve("warehouse");
        fresh.put("DWH_DIR", made.toString());
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress("127.0.0.1", port));
            try (ServiceProcess serve = ServiceProcess.start("serve", fresh)) {
                assertEquals(1, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
                assertTrue(serve.log().contains("is taken by a program that does not answer as PostgreSQL"), serve.log());
            }
        }
        assertFalse(Files.exists(made), "the start left the directory it made for the warehouse");
        assertTrue(Files.exists(dwh.resolve("made").resolve("warehouse.start-lock")));
    }

    /**
     * DB_PORT held by the embedded warehouse of another DWH_DIR: refused in one line naming its
     * data, as it was in words, but as an internal error (refresh said "Something unexpected
     * failed", serve died with a stack trace).
     */
    @Test
    void aPortHeldByAnotherDirectorysWarehouseIsOneLine(@TempDir Path other) throws Exception {
        Map<String, String> env = localMode(Map.of());
        Map<String, String> otherEnv = new HashMap<>(env);
        otherEnv.put("DWH_DIR", other.toString());
        try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
            serve.awaitServing();
            long server = postmasterPid().orElseThrow();

            try (ServiceProcess refresh = ServiceProcess.start("refresh", otherEnv)) {
                assertEquals(1, refresh.awaitExit(Duration.ofSeconds(60)), refresh.log());
                assertTrue(refresh.log().contains("error: cannot use the warehouse embedded in " + other + ": port "
                    + env.get("DB_PORT") + " on 127.0.0.1 is taken by another PostgreSQL server (data in " + dwh
                    + "); set DB_PORT to a free port for the embedded warehouse"), refresh.log());
                assertFalse(refresh.log().contains("\tat "), "no stack trace: " + refresh.log());
            }
            assertTrue(running(server), "the other directory's refresh stopped the service's server");
            assertFalse(Files.exists(other.resolve("postmaster.pid")), "a server was started on " + other);

            serve.sigterm();
            assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
        }
    }

    /**
     * This DWH_DIR's own server runs on another port than DB_PORT: joined where it runs, so that
     * refresh and serve share the warehouse whatever DB_PORT each was given. The refresh stopped
     * as an internal error ("already runs on port X, not Y"), telling the operator to set DB_PORT.
     */
    @Test
    void theDirectorysServerOnAnotherPortIsJoinedThere() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config sources = upstream.serveFixtureSources(Config.fromEnvironment(Map.of()));
            Map<String, String> env = localMode(Map.of(
                "MODERNA_URL", sources.modernaUrl().toString(),
                "PFIZER_URL", sources.pfizerUrl().toString(),
                "COUNTY_POPULATION_URL", sources.countyPopulationUrl().toString()));
            Map<String, String> elsewhere = new HashMap<>(env);
            String serverPort = env.get("DB_PORT");
            String otherPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                otherPort = Integer.toString(socket.getLocalPort());
            }
            assertNotEquals(serverPort, otherPort);
            elsewhere.put("DB_PORT", otherPort);

            long server;
            try (ServiceProcess serve = ServiceProcess.start("serve", env)) {
                int port = serve.awaitServing();
                server = postmasterPid().orElseThrow();

                try (ServiceProcess refresh = ServiceProcess.start("refresh", elsewhere)) {
                    assertEquals(0, refresh.awaitExit(Duration.ofSeconds(90)), refresh.log());
                    assertTrue(refresh.log().contains("WARN  EmbeddedWarehouse embedded warehouse already running on port "
                        + serverPort + ", not DB_PORT's " + otherPort + " (data in " + dwh + ", started by PID "
                        + serve.pid() + "): using it on port " + serverPort), refresh.log());
                    assertTrue(refresh.log().contains("psql -h 127.0.0.1 -p " + serverPort + " "), refresh.log());
                }
                assertTrue(running(server), "the refresh command stopped the service's server");
                assertEquals(Optional.of(server), postmasterPid());
                assertEquals(Optional.of(serve.pid()), ownerPid(), "the service still owns the server");

                // The service reads the product the refresh built, through the same server.
                HttpResponse<String> ny = awaitProduct(port);
                assertTrue(ny.body().contains("\"doses_total\":7500"), ny.body());

                serve.sigterm();
                assertEquals(143, serve.awaitExit(Duration.ofSeconds(60)), serve.log());
            }
            assertFalse(running(server), "the owner exited and left its server running");
        }
    }

    /**
     * The owner exiting while another state-doses process uses its server: it stopped the server,
     * and the other was left without a warehouse for good (503 "the warehouse does not answer; try
     * again shortly", which it never did, /health/live 200). The server is left to the last process
     * to leave, which stops it.
     */
    @Test
    void theOwnerLeavesItsServerToAProcessStillUsingItAndTheLastToLeaveStopsIt() throws Exception {
        Map<String, String> env = localMode(Map.of());
        long server;
        try (ServiceProcess owner = ServiceProcess.start("serve", env);
             ServiceProcess other = startAfter(owner, env)) {
            int otherPort = other.awaitServing();
            server = postmasterPid().orElseThrow();
            assertEquals(Optional.of(owner.pid()), ownerPid());

            owner.sigterm();
            assertEquals(143, owner.awaitExit(Duration.ofSeconds(60)), owner.log());
            assertTrue(owner.log().contains("INFO  EmbeddedWarehouse embedded warehouse left running for the other "
                + "state-doses processes that use it (data in " + dwh + "); the last of them to leave stops it"),
                owner.log());
            assertTrue(running(server), "the owner stopped the server another process uses");
            assertWarehouseUp(otherPort, "the other process lost its warehouse");
            assertEquals(200, get(otherPort, "/ratios").statusCode());

            other.sigterm();
            assertEquals(143, other.awaitExit(Duration.ofSeconds(60)), other.log());
            assertTrue(other.log().contains("INFO  EmbeddedWarehouse stopped the embedded warehouse, which its owner"
                + " (PID " + owner.pid() + ") left running for this process (data in " + dwh + ")"), other.log());
        }
        waitUntilStopped(server);
        assertFalse(running(server), "the last process left and the server still runs");
        assertFalse(Files.exists(dwh.resolve("postmaster.pid")));
        assertFalse(Files.exists(dwh.resolve("state-doses.owner")), "the owner's record outlived its server");
    }

    /**
     * An owner killed outright while another process uses its server: the next start stopped the
     * server to start afresh, under the other's refresh (503). It takes the server over now, and
     * leaves it to the last process to leave.
     */
    @Test
    void aKilledOwnersServerStillInUseIsTakenOverByTheNextStart() throws Exception {
        Map<String, String> env = localMode(Map.of());
        long server;
        try (ServiceProcess killed = ServiceProcess.start("serve", env);
             ServiceProcess other = startAfter(killed, env)) {
            int otherPort = other.awaitServing();
            server = postmasterPid().orElseThrow();
            killed.kill();
            assertTrue(running(server), "a SIGKILLed service cannot stop its server");

            try (ServiceProcess next = ServiceProcess.start("serve", env)) {
                next.awaitServing();
                assertTrue(next.log().contains("WARN  EmbeddedWarehouse embedded warehouse left running by a stopped"
                    + " process (PID " + killed.pid() + "), and used by "), next.log());
                assertTrue(next.log().contains("taking it over (its PostgreSQL server is PID " + server + ", data in "
                    + dwh + ")"), next.log());
                assertEquals(Optional.of(server), postmasterPid(), "the server in use was stopped and another started");
                assertEquals(Optional.of(next.pid()), ownerPid());
                assertWarehouseUp(otherPort, "the other process lost its warehouse");

                next.sigterm();
                assertEquals(143, next.awaitExit(Duration.ofSeconds(60)), next.log());
            }
            assertTrue(running(server), "the new owner stopped the server another process uses");
            assertEquals(200, get(otherPort, "/ratios").statusCode());
            other.sigterm();
            assertEquals(143, other.awaitExit(Duration.ofSeconds(60)), other.log());
        }
        waitUntilStopped(server);
        assertFalse(running(server), "the last process left and the server still runs");
        assertFalse(Files.exists(dwh.resolve("state-doses.owner")));
    }

    /**
     * Two processes started at once on one directory, new or not: the one that lost the start said
     * "could not lock epg-lock; is the port taken? set DB_PORT" and exited 1. It waits for the
     * other's start and joins now: one server, both serving.
     */
    @Test
    void twoStartsAtOnceShareOneServer() throws Exception {
        Map<String, String> env = localMode(Map.of());
        for (String directory : List.of("new", "existing")) {
            long server;
            try (ServiceProcess first = ServiceProcess.start("serve", env);
                 ServiceProcess second = ServiceProcess.start("serve", env)) {
                int firstPort = first.awaitServing();
                int secondPort = second.awaitServing();
                server = postmasterPid().orElseThrow();
                assertWarehouseUp(firstPort, directory + ": " + first.log());
                assertWarehouseUp(secondPort, directory + ": " + second.log());
                assertTrue(ownerPid().equals(Optional.of(first.pid())) || ownerPid().equals(Optional.of(second.pid())),
                    directory + ": one of the two owns the server");
                first.sigterm();
                second.sigterm();
                assertEquals(143, first.awaitExit(Duration.ofSeconds(60)), first.log());
                assertEquals(143, second.awaitExit(Duration.ofSeconds(60)), second.log());
            }
            waitUntilStopped(server);
            assertFalse(running(server), directory + ": both left and the server still runs");
        }
    }

    /** GET /health on {@code port} says the warehouse answers (its 503 only says there is no product yet). */
    private static void assertWarehouseUp(int port, String message) throws IOException, InterruptedException {
        String health = get(port, "/health").body();
        assertTrue(health.contains("\"warehouse\":\"up\""), message + ": " + health);
    }

    /** A second service on {@link #dwh}, started once {@code first} serves (so that it joins). */
    private static ServiceProcess startAfter(ServiceProcess first, Map<String, String> env) throws InterruptedException {
        first.awaitServing();
        return ServiceProcess.start("serve", env);
    }

    /** The environment of a local run on {@link #dwh}: no DB_HOST, free ports. */
    private Map<String, String> localMode(Map<String, String> more) throws IOException {
        Map<String, String> env = new HashMap<>(more);
        env.put("DWH_DIR", dwh.toString());
        try (ServerSocket socket = new ServerSocket(0)) {
            env.put("DB_PORT", Integer.toString(socket.getLocalPort()));
        }
        env.put("PORT", "0");
        return env;
    }

    private Optional<Long> postmasterPid() throws IOException {
        return postmasterPid(dwh);
    }

    private static Optional<Long> postmasterPid(Path dataDir) throws IOException {
        Path file = dataDir.resolve("postmaster.pid");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Files.readAllLines(file).stream().findFirst().map(String::trim).map(Long::valueOf);
    }

    private Optional<Long> ownerPid() throws IOException {
        Path file = dwh.resolve("state-doses.owner");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Files.readAllLines(file).stream().filter(line -> line.startsWith("pid="))
            .findFirst().map(line -> Long.valueOf(line.substring(4)));
    }

    /**
     * Alive and not a zombie: a server's parent (pg_ctl) exits at once, so PID 1 is left to reap
     * it, which not every PID 1 does; ProcessHandle calls a zombie alive.
     */
    private static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return !stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
            } catch (IOException e) {
                return false; // gone between the two looks
            }
        }
        return false;
    }

    private void waitUntilStopped(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (running(pid) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** GET /ratios/NY until the service has the product (it hears of it by NOTIFY), at most 10 s. */
    private static HttpResponse<String> awaitProduct(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> ny = get(port, "/ratios/NY");
        while (ny.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            ny = get(port, "/ratios/NY");
        }
        assertEquals(200, ny.statusCode(), ny.body());
        return ny;
    }
}
