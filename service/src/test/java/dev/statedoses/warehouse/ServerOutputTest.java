package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a failed start of the embedded server quotes what PostgreSQL's programs printed: the
 * outputs here are written for the test in their programs' forms (pg_ctl's words of waiting glued
 * to the server's first line, the server's prefix of time and PID, initdb's words of what it would
 * make before its error).
 */
class ServerOutputTest {

    private static final String[] PREFIXES = {
        "2026-12-08 00:51:54.952 UTC [8365] ", "2026-12-08 00:51:54 GMT [1] ", "[42] ", "", "< 2026-12-08 > db=,user= ",
    };

    @Test
    void aSettingTheServerDoesNotKnowIsQuotedWithItsFatalLine() {
        String output = """
            waiting for server to start....2026-12-08 00:51:54.952 UTC [8365] LOG:  unrecognized configuration \
            parameter "shared_bufers" in file "/d/postgresql.conf" line 827
            2026-12-08 00:51:54.952 UTC [8365] FATAL:  configuration file "/d/postgresql.conf" contains errors
             stopped waiting
            pg_ctl: could not start server
            Examine the log output.
            """;
        assertEquals("LOG: unrecognized configuration parameter \"shared_bufers\" in file \"/d/postgresql.conf\" line 827;"
            + " FATAL: configuration file \"/d/postgresql.conf\" contains errors", ServerOutput.said(output));
    }

    @Test
    void theLinesAnyStartLogsAreLeftOut() {
        String output = """
            waiting for server to start....2026-12-08 00:52:55.669 UTC [8444] LOG:  starting PostgreSQL 16.15 on x86_64
            2026-12-08 00:52:55.669 UTC [8444] LOG:  listening on IPv4 address "127.0.0.1", port 15600
            2026-12-08 00:52:55.670 UTC [8444] LOG:  listening on Unix socket "/tmp/.s.PGSQL.15600"
            2026-12-08 00:52:55.672 UTC [8447] LOG:  database system was shut down at 2026-12-08 00:49:22 UTC
            2026-12-08 00:52:55.672 UTC [8447] FATAL:  required WAL directory "pg_wal" does not exist
            2026-12-08 00:52:55.672 UTC [8444] LOG:  startup process (PID 8447) exited with exit code 1
            2026-12-08 00:52:55.672 UTC [8444] LOG:  terminating any other active server processes
            2026-12-08 00:52:55.673 UTC [8444] LOG:  shutting down due to startup process failure
            2026-12-08 00:52:55.675 UTC [8444] LOG:  database system is shut down
             stopped waiting
            pg_ctl: could not start server
            Examine the log output.
            """;
        assertEquals("FATAL: required WAL directory \"pg_wal\" does not exist", ServerOutput.said(output));
    }

    @Test
    void theServersWordsWithoutASeverityReadAsOneSentence() {
        String output = """
            waiting for server to start....postgres: could not find the database system
            Expected to find it in the directory "/d",
            but could not open file "/d/global/pg_control": No such file or directory
             stopped waiting
            pg_ctl: could not start server
            Examine the log output.
            """;
        assertEquals("postgres: could not find the database system Expected to find it in the directory \"/d\", but could"
            + " not open file \"/d/global/pg_control\": No such file or directory", ServerOutput.said(output));
    }

    @Test
    void pgCtlsOwnRefusalIsQuoted() {
        assertEquals("pg_ctl: directory \"/d\" is not a database cluster directory",
            ServerOutput.said("pg_ctl: directory \"/d\" is not a database cluster directory\n"));
        assertEquals("FATAL: lock file \"postmaster.pid\" already exists; HINT: Is another postmaster (PID 77) running"
            + " in data directory \"/d\"?", ServerOutput.said("""
            pg_ctl: another server might be running; trying to start server anyway
            waiting for server to start....2026-12-08 00:51:55.411 UTC [8397] FATAL:  lock file "postmaster.pid" \
            already exists
            2026-12-08 00:51:55.411 UTC [8397] HINT:  Is another postmaster (PID 77) running in data directory "/d"?
             stopped waiting
            pg_ctl: could not start server
            Examine the log output.
            """));
    }

    @Test
    void initdbsErrorIsQuotedWithoutItsWordsOfWhatItWouldMake() {
        String output = """
            The files belonging to this database system will be owned by user "nobody".
            This user must also own the server process.

            The database cluster will be initialized with locale "C.UTF-8".
            The default text search configuration will be set to "english".

            Data page checksums are disabled.

            initdb: error: directory "/d" exists but is not empty
            initdb: hint: If you want to create a new database system, either remove or empty the directory "/d".
            """;
        assertEquals("initdb: error: directory \"/d\" exists but is not empty; initdb: hint: If you want to create a new"
            + " database system, either remove or empty the directory \"/d\".", ServerOutput.said(output));
    }

    /** initdb's bootstrap, out of disk: the server's FATAL is the reason, not initdb's words of cleaning up. */
    @Test
    void initdbsBootstrapFailureIsQuotedByTheServersWords() {
        String output = """
            The files belonging to this database system will be owned by user "nobody".
            creating subdirectories ... ok
            running bootstrap script ... 2026-12-08 01:30:00.000 UTC [77] FATAL:  could not extend file "base/1/2691": wrote only 4096 of 8192 bytes at block 3
            2026-12-08 01:30:00.000 UTC [77] HINT:  Check free disk space.
            2026-12-08 01:30:00.000 UTC [77] PANIC:  cannot abort transaction 1, it was already committed
            child process was terminated by signal 6: Aborted
            initdb: removing contents of data directory "/d"
            """;
        assertEquals("FATAL: could not extend file \"base/1/2691\": wrote only 4096 of 8192 bytes at block 3; HINT: Check"
            + " free disk space.; PANIC: cannot abort transaction 1, it was already committed", ServerOutput.said(output));
    }

    @Test
    void aStartAndStopThatWentWellSayNothing() {
        String output = """
            waiting for server to start....2026-12-08 00:55:41.223 UTC [9654] LOG:  starting PostgreSQL 16.15 on x86_64
            2026-12-08 00:55:41.223 UTC [9654] LOG:  listening on IPv4 address "127.0.0.1", port 15499
            2026-12-08 00:55:41.226 UTC [9657] LOG:  database system was shut down at 2026-12-08 00:49:22 UTC
            2026-12-08 00:55:41.230 UTC [9654] LOG:  database system is ready to accept connections
             done
            server started
            2026-12-08 00:55:43.411 UTC [9654] LOG:  received fast shutdown request
            waiting for server to shut down....2026-12-08 00:55:43.412 UTC [9654] LOG:  aborting any active transactions
            2026-12-08 00:55:43.413 UTC [9654] LOG:  background worker "logical replication launcher" (PID 9660) exited \
            with exit code 1
            2026-12-08 00:55:43.414 UTC [9655] LOG:  shutting down
            2026-12-08 00:55:43.414 UTC [9655] LOG:  checkpoint starting: shutdown immediate
            2026-12-08 00:55:43.418 UTC [9655] LOG:  checkpoint complete: wrote 4 buffers (0.0%); 0 WAL file(s) added
            2026-12-08 00:55:43.424 UTC [9654] LOG:  database system is shut down
             done
            server stopped
            """;
        assertEquals("", ServerOutput.said(output));
    }

    /**
     * Generated: a reason of random words at a random severity, among any number of routine lines,
     * under any of several line prefixes and line ends, is quoted as itself, with its severity.
     */
    @Test
    void aReasonAmongRoutineLinesIsQuotedAsItselfUnderAnyPrefix() {
        String[] routine = {
            "LOG:  starting PostgreSQL 16.15 on x86_64-pc-linux-gnu, 64-bit",
            "LOG:  listening on IPv4 address \"127.0.0.1\", port 5432",
            "LOG:  database system was shut down at 2026-12-08 00:49:22 UTC",
            "LOG:  startup process (PID 12) exited with exit code 1",
            "LOG:  terminating any other active server processes",
            "LOG:  shutting down due to startup process failure",
            "LOG:  database system is shut down",
        };
        String[] severities = {"FATAL", "PANIC", "ERROR", "WARNING"};
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        for (int trial = 0; trial < 500; trial++) {
            String prefix = PREFIXES[random.nextInt(PREFIXES.length)];
            String end = random.nextBoolean() ? "\n" : "\r\n";
            StringBuilder words = new StringBuilder();
            for (int w = 1 + random.nextInt(8); w > 0; w--) {
                words.append(words.isEmpty() ? "" : " ").append(Long.toString(random.nextLong() & 0xffffffL, 36));
            }
            String severity = severities[random.nextInt(severities.length)];
            List<String> lines = new ArrayList<>();
            for (int r = random.nextInt(6); r > 0; r--) {
                lines.add(prefix + routine[random.nextInt(routine.length)]);
            }
            lines.add(prefix + severity + ":  " + words);
            for (int r = random.nextInt(4); r > 0; r--) {
                lines.add(prefix + routine[random.nextInt(routine.length)]);
            }
            String output = "waiting for server to start...." + String.join(end, lines) + end + " stopped waiting" + end
                + "pg_ctl: could not start server" + end + "Examine the log output." + end;
            assertEquals(severity + ": " + words, ServerOutput.said(output), "seed " + seed + ", output:\n" + output);
        }
    }

    @Test
    void aLongOutputIsQuotedByItsLastLinesAndCut() {
        StringBuilder output = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            output.append("2026-12-08 00:00:00 UTC [1] WARNING:  warning ").append(i).append('\n');
        }
        String said = ServerOutput.said(output.toString());
        assertTrue(said.startsWith("WARNING: warning 9; WARNING: warning 10;"), said);
        assertTrue(said.endsWith("WARNING: warning 20"), said);

        String longer = ServerOutput.said("FATAL:  " + "x".repeat(5000) + "\n");
        assertTrue(longer.startsWith("FATAL: xxx"), longer);
        assertTrue(longer.endsWith("… (5007 characters)"), longer);
    }

    @Test
    void controlCharactersInTheOutputAreEscaped() {
        String said = ServerOutput.said("FATAL:  could not open file \"/d/a\u001b[2Jb\"\n");
        assertFalse(said.contains("\u001b"), said);
        assertTrue(said.startsWith("FATAL: could not open file \"/d/a"), said);
    }

    @Test
    void theFileIsBesideTheDirectoryReadableByItsOwnerAndKeptToItsSize(@TempDir Path temp) throws IOException {
        Path dir = temp.resolve("dwh");
        ServerOutput output = ServerOutput.beside(dir);
        Path file = temp.resolve("dwh.server.log");
        assertTrue(Files.exists(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(" (all they printed is in " + file + ")", output.whereKept());

        // What a start before it printed is not this start's to quote.
        Files.writeString(file, "FATAL:  an earlier start's reason\n", StandardOpenOption.APPEND);
        ServerOutput next = ServerOutput.beside(dir);
        long begun = next.end();
        assertFalse(next.grownSince(begun));
        Files.writeString(file, "FATAL:  this start's reason\n", StandardOpenOption.APPEND);
        assertTrue(next.grownSince(begun));
        assertEquals("FATAL: this start's reason", next.saidSinceStart());
        assertEquals("FATAL: this start's reason", next.saidSince(begun));

        // Past 8 MB, the file is moved aside as the next start begins, and begun afresh.
        Files.write(file, new byte[(8 << 20) + 1], StandardOpenOption.APPEND);
        ServerOutput afresh = ServerOutput.beside(dir);
        assertEquals(0, afresh.end());
        assertEquals((8 << 20) + 1 + 62, Files.size(temp.resolve("dwh.server.log.old")));
    }

    @Test
    void whereTheFileCannotBeWrittenTheOutputGoesToTheLibraryAndTheMessageSaysWhy(@TempDir Path temp) throws IOException {
        Path dir = temp.resolve("dwh");
        Files.createDirectories(temp.resolve("dwh.server.log")); // a directory where the file would be
        ServerOutput output = ServerOutput.beside(dir);
        assertEquals(ProcessBuilder.Redirect.PIPE, output.redirect());
        assertTrue(output.whereKept().startsWith(" (their output was not kept: " + temp.resolve("dwh.server.log")
            + " cannot be written: "), output.whereKept());
        assertEquals("", output.saidSinceStart());
    }

    /** A FIFO where the file would be: opening it to write waits for a reader, and the start waited for ever. */
    @Test
    void aFifoWhereTheFileWouldBeIsNotOpened(@TempDir Path temp) throws Exception {
        Path fifo = temp.resolve("dwh.server.log");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        ServerOutput output = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ServerOutput.beside(temp.resolve("dwh")));
        assertEquals(ProcessBuilder.Redirect.PIPE, output.redirect());
        assertEquals(" (their output was not kept: " + fifo + " cannot be written: not a regular file)", output.whereKept());
    }
}
