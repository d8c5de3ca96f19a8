package dev.statedoses.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Main;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as a JVM of its own, with the production logging configuration (ops/LogConfiguration,
 * which tests otherwise replace with logback-test.xml: the child's class path is this JVM's
 * without the test classes, so it has none): its stderr is collected as it comes, and its stdout.
 * Closing it kills it if it still runs.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("serving on http://localhost:(\\d+)");

    private final Process process;
    private final Path tempDir;
    private final StringBuilder err = new StringBuilder();
    /** A line at which the reader of stderr sends SIGTERM at once ({@link #sigtermAt}), or null. */
    private volatile String sigtermAt;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Thread reader;
    private final Thread outReader;

    private ServiceProcess(Process process, Path tempDir) {
        this.process = process;
        this.tempDir = tempDir;
        this.reader = new Thread(this::collect, "stderr of " + process.pid());
        this.outReader = new Thread(this::collectOut, "stdout of " + process.pid());
        reader.start();
        outReader.start();
    }

    /** Runs {@code java Main <command>} with {@code env} added to this JVM's environment. */
    public static ServiceProcess start(String command, Map<String, String> env) {
        return start(List.of(command), env);
    }

    /** Runs {@code java Main <args...>} with {@code env} added to this JVM's environment. */
    public static ServiceProcess start(List<String> args, Map<String, String> env) {
        return start(List.of(), args, env);
    }

    /** Runs {@code java <jvmOptions...> Main <args...>} with {@code env} added to this JVM's environment. */
    public static ServiceProcess start(List<String> jvmOptions, List<String> args, Map<String, String> env) {
        return start(jvmOptions, args, env, ProcessBuilder.Redirect.PIPE);
    }

    /** As the one before, its stdout sent to {@code stdout} (a file; {@link #stdout} is then empty). */
    public static ServiceProcess start(List<String> jvmOptions, List<String> args, Map<String, String> env,
                                       ProcessBuilder.Redirect stdout) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            // A temp directory of its own, deleted by close(): a process killed with SIGKILL
            // never runs its delete-on-exit hooks (the embedded PostgreSQL library leaves a
            // script behind each time). The library's unpacked binaries stay shared, where the
            // build put this JVM's (target/embedded-pg, the pom's ot.epg.working-dir).
            Path tempDir = Files.createTempDirectory("state-doses-process");
            Path binaries = Path.of(System.getProperty("ot.epg.working-dir",
                Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg").toString()));
            List<String> commandLine = new ArrayList<>(List.of(java,
                "-Djava.io.tmpdir=" + tempDir, "-Dot.epg.working-dir=" + binaries));
            commandLine.addAll(jvmOptions);
            commandLine.addAll(List.of("-cp", withoutTestClasses(System.getProperty("java.class.path")),
                Main.class.getName()));
            commandLine.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(commandLine);
            builder.environment().putAll(env);
            builder.redirectOutput(stdout);
            return new ServiceProcess(builder.start(), tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code classPath} without the test classes (the directory that holds logback-test.xml). */
    private static String withoutTestClasses(String classPath) {
        URL testConfig = ServiceProcess.class.getResource("/logback-test.xml");
        assertTrue(testConfig != null && "file".equals(testConfig.getProtocol()), "no logback-test.xml in test-classes");
        Path testClasses;
        try {
            testClasses = Path.of(testConfig.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> kept = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!Path.of(entry).toAbsolutePath().equals(testClasses.toAbsolutePath())) {
                kept.add(entry);
            }
        }
        assertTrue(kept.size() < classPath.split(File.pathSeparator).length, "test classes not on " + classPath);
        return String.join(File.pathSeparator, kept);
    }

    private void collect() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (err) {
                    err.append(line).append('\n');
                }
                String at = sigtermAt;
                if (at != null && line.contains(at)) {
                    sigtermAt = null;
                    sigterm();
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    private void collectOut() {
        try {
            process.getInputStream().transferTo(out);
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    /** Its stdout, read as UTF-8, once it has exited ({@link #awaitExit}). */
    public String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    public long pid() {
        return process.pid();
    }

    /** Its stderr so far. */
    public String log() {
        synchronized (err) {
            return err.toString();
        }
    }

    /** Waits until {@code text} is in its stderr; fails if it exits first or {@code timeout} passes. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            assertTrue(process.isAlive() || log().contains(text), "the process exited:\n" + log());
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' within " + timeout + ":\n" + log());
            Thread.sleep(100);
        }
    }

    /** Waits until the service serves, and answers its HTTP port. */
    public int awaitServing() throws InterruptedException {
        awaitLog("INFO  Main serving on http://localhost:", Duration.ofSeconds(90));
        Matcher port = SERVING.matcher(log());
        assertTrue(port.find(), log());
        return Integer.parseInt(port.group(1));
    }

    /**
     * SIGTERM. Through the handle: Process.destroy() would also close our end of the child's
     * stderr at once, and its shutdown lines would have nowhere to go.
     */
    public void sigterm() {
        process.toHandle().destroy();
    }

    /**
     * SIGTERM to a {@code serve} that is still starting (it waits for a lock, say): it must exit
     * 143 within {@code within}, its last line saying it stopped during the start, with no error
     * or stack trace (Main, StartSteps). Returns its stderr.
     */
    public String sigtermDuringTheStart(Duration within) throws InterruptedException {
        long signalled = System.nanoTime();
        sigterm();
        assertEquals(143, awaitExit(Duration.ofSeconds(60)), log());
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        assertTrue(took.compareTo(within) < 0, "the exit took " + took + ": " + log());
        List<String> lines = log().lines().toList();
        assertTrue(lines.get(lines.size() - 1).endsWith("INFO  Main stopped during the start, as asked; it did not serve"),
            log());
        assertFalse(log().contains("\tat ") || log().contains(" ERROR "), log());
        return log();
    }

    /**
     * SIGTERM as soon as a stderr line holding {@code text} is read, by the thread that reads
     * it: a moment {@link #awaitLog}'s polling (every 100 ms) would miss.
     */
    public void sigtermAt(String text) {
        sigtermAt = text;
    }

    /** SIGKILL: no shutdown hook runs, nothing is stopped or cleaned up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process did not die");
    }

    /** Waits for it to exit and for its last stderr line; answers its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "the process did not exit:\n" + log());
        reader.join(10_000);
        outReader.join(10_000);
        return process.exitValue();
    }

    /** Kills it if it still runs, and deletes its temp directory. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(tempDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + tempDir, e);
        }
    }
}
