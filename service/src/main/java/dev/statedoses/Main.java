package dev.statedoses;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.statedoses.ops.BufferedStderrAppender;
import dev.statedoses.product.HeapRoom;
import dev.statedoses.product.ProductTooLargeException;
import dev.statedoses.refresh.RefreshFailure;
import dev.statedoses.refresh.RefreshReport;
import dev.statedoses.refresh.Trigger;
import dev.statedoses.text.Printable;
import dev.statedoses.warehouse.StartSteps;
import dev.statedoses.warehouse.StoppedDuringStartException;
import dev.statedoses.warehouse.WarehouseStartException;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code serve} (the default) runs the HTTP service; {@code refresh} runs one
 * refresh, prints the product (or its report as JSON) and exits 0, or prints the error and exits
 * 1; {@code version} and {@code help} print and exit 0. Anything else is a usage error: exit 2,
 * with the usage on stderr. Arguments are read before the configuration, so help and version work
 * whatever the environment holds.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    static final int SERVING = -1;
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE_ERROR = 2;

    static final String USAGE = """
        usage: java -jar service.jar [serve | refresh [--json] | version | help]
          serve            run the HTTP service (the default)
          refresh          fetch the sources, rebuild dwh.state_doses, print it and exit
            --json         print the refresh's report as JSON instead (as POST /refresh answers it,
                           a failure's problem details too)
          version          print the version and the git commit built (also --version)
          help             print this (also --help or -h, after any command)
        Exit codes: 0 done, 1 failed (a refresh leaves the last good product as it was;
        or the warehouse could not be reached or used; or stdout could not be written),
        2 a wrong argument or setting, 130 or 143 stopped by SIGINT or SIGTERM (a refresh
        that had committed prints its report all the same: trust its status).
        Configuration comes from environment variables (PORT, DB_HOST, DATABASE_URL, ...):
        see the project's README.md, section Configuration.""";

    private Main() {
    }

    public static void main(String[] args) {
        // The PostgreSQL driver sends this JVM's time zone at login, and PostgreSQL refuses a zone
        // ID it does not know (JST, CTT, PST, IST, AET: 28 of Java's) with a FATAL, so no
        // connection could be made under such a TZ or -Duser.timezone, and the error blamed the
        // host and login. Nothing of the service reads the JVM's zone (its times are UTC, and the
        // build refuses calls that would: forbiddenapis); its sessions are set to UTC anyway.
        TimeZone.setDefault(TimeZone.getTimeZone(ZoneOffset.UTC));
        // UTF-8 on any machine, as the log (ops/LogConfiguration) and JSON (RFC 8259) are:
        // System.out and System.err write in the locale's charset, which under LANG=C made a
        // source's ñ quoted in a failure a ?, and one stream of two encodings with the log.
        Stdout stdout = new Stdout();
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        StartSteps start = new StartSteps();
        start.watchExit();
        int code;
        try {
            code = run(args, System.getenv(), environmentCharset(), out, err, start);
        } catch (RuntimeException | Error e) {
            start.ended(); // a fault of ours: its stack trace, and no hook waits for a start that is over
            throw e;
        }
        if (code != SERVING) {
            out.flush();
            BufferedStderrAppender.stopLogging();
            // After the log's last lines, so that it is the last line said.
            code = stdout.exitCode(code, err);
            // Only now may a shutdown hook that waits for the start go on, and the JVM end: a
            // start stopped by a signal has said so, in lines that are written out.
            start.ended();
            System.exit(code);
        }
    }

    /**
     * The charset this JVM read its environment in: from Java 18 the one it names files in
     * (sun.jnu.encoding, from the locale), up to 17 its default charset (file.encoding, which
     * -Dfile.encoding=UTF-8 sets apart from the locale).
     */
    private static String environmentCharset() {
        return Runtime.version().feature() >= 18 ? System.getProperty("sun.jnu.encoding", "UTF-8")
            : Charset.defaultCharset().name();
    }

    /** What the arguments ask for. */
    private record Command(String name, boolean json) {
    }

    /** Runs a command with {@code env} as UTF-8 gives it; see the next. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, "UTF-8", out, err);
    }

    /** Runs a command as {@link #main} does, its start over when it returns. */
    static int run(String[] args, Map<String, String> env, String decodedAs, PrintStream out, PrintStream err) {
        StartSteps start = new StartSteps();
        try {
            return run(args, env, decodedAs, out, err, start);
        } finally {
            start.ended();
        }
    }

    /**
     * Runs a command; returns its exit code, or {@link #SERVING} while the server runs on.
     * {@code decodedAs}: the charset the JVM read {@code env} with (Environment says why it matters).
     * {@code start}: ended here once the service serves; otherwise the caller ends it, once it has
     * said all it says (StartSteps).
     */
    private static int run(String[] args, Map<String, String> env, String decodedAs, PrintStream out,
            PrintStream err, StartSteps start) {
        List<String> given = List.of(args);
        if (given.contains("--help") || given.contains("-h")) {
            out.println(USAGE);
            return OK;
        }
        Command command;
        try {
            command = parse(given);
        } catch (IllegalArgumentException e) {
            // stderr carries the log too: a value quoted in the message must not start a line of its own
            say(err, "error: " + Printable.escape(e.getMessage()) + "\n" + USAGE);
            return USAGE_ERROR;
        }
        switch (command.name()) {
            case "help" -> {
                out.println(USAGE);
                return OK;
            }
            case "version" -> {
                out.println(BuildInfo.describe());
                return OK;
            }
            default -> { }
        }
        Config config;
        try {
            config = Config.fromEnvironment(env, decodedAs);
        } catch (IllegalArgumentException e) {
            say(err, "configuration error: " + Printable.escape(e.getMessage()));
            return USAGE_ERROR;
        }
        return command.name().equals("serve") ? serve(config, err, start)
            : refresh(config, command.json(), out, err, start);
    }

    private static Command parse(List<String> args) {
        if (args.isEmpty()) {
            return new Command("serve", false);
        }
        String name = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (name) {
            case "version", "--version" -> {
                noMore("version", rest);
                return new Command("version", false);
            }
            case "help" -> {
                noMore("help", rest);
                return new Command("help", false);
            }
            case "serve" -> {
                noMore("serve", rest);
                return new Command("serve", false);
            }
            case "refresh" -> {
                boolean json = false;
                for (String arg : rest) {
                    if (arg.equals("--json") && json) {
                        throw new IllegalArgumentException("option '--json' given twice for refresh");
                    }
                    if (!arg.equals("--json")) {
                        throw new IllegalArgumentException(unexpected("refresh", arg));
                    }
                    json = true;
                }
                return new Command("refresh", json);
            }
            default -> throw new IllegalArgumentException(name.startsWith("-")
                ? "unknown option '" + Printable.shorten(name, 40) + "'"
                : "unknown command '" + Printable.shorten(name, 40) + "'");
        }
    }

    private static void noMore(String command, List<String> rest) {
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException(unexpected(command, rest.get(0)));
        }
    }

    private static String unexpected(String command, String arg) {
        String hint = arg.startsWith("--port") ? " (the port is the environment's PORT: PORT=9000 java -jar "
            + "service.jar " + command + ")" : "";
        return (arg.startsWith("-") ? "unknown option '" : "unexpected argument '") + Printable.shorten(arg, 40)
            + "' for " + command + hint;
    }

    private static int serve(Config config, PrintStream err, StartSteps start) {
        // Before the warehouse starts (an embedded one takes seconds), and in one line: Jetty's
        // own failure is an ERROR line and a stack trace, which stays for a port taken meanwhile.
        if (config.port() != 0 && !portFree(config.port())) {
            say(err, portTakenMessage(config.port()));
            return FAILED;
        }
        Wiring wiring;
        try {
            wiring = Wiring.start(config, start);
        } catch (RuntimeException e) {
            if (e instanceof StoppedDuringStartException || start.exiting()) {
                return stoppedDuringStart();
            }
            if (e instanceof WarehouseStartException) {
                say(err, "error: " + Printable.escape(e.getMessage()));
                return FAILED;
            }
            throw e;
        }
        Javalin app;
        try {
            Javalin made = wiring.app();
            start.next();
            app = made.start(config.port());
        } catch (RuntimeException e) {
            wiring.close(); // an embedded warehouse must not outlive a service that never served
            if (e instanceof StoppedDuringStartException || start.exiting()) {
                return stoppedDuringStart();
            }
            if (e instanceof WarehouseStartException || e instanceof ProductTooLargeException) {
                say(err, "error: " + Printable.escape(e.getMessage()));
                return FAILED;
            }
            if (portTaken(e)) {
                say(err, portTakenMessage(config.port()));
                return FAILED;
            }
            throw e;
        } catch (OutOfMemoryError e) {
            // Past the check of the product's size (HeapRoom), which leaves a margin only: one
            // line that says so, not the JVM's stack trace. (Under -XX:+ExitOnOutOfMemoryError,
            // as the image runs, the JVM ends first, with its own line.)
            wiring.close();
            say(err, "error: " + outOfMemoryAtStart(e));
            return FAILED;
        }
        // On SIGTERM: a refresh still reading its sources stops and rolls back (its caller gets a
        // 503), requests in flight finish, then the pool closes and the embedded server stops.
        // Registered before "serving on" is logged, so whoever waits for that line may stop us.
        // The warm-up, once started; or, once the shutdown has begun, a thread that never ran, so
        // that none starts after it. It starts after "serving on" is logged: a SIGTERM as that
        // line appeared found no warm-up to wait for, and closed the pool under its look at the
        // schema (the pool's warning and a stack trace), whose last line came after "stopped".
        AtomicReference<Thread> warmUp = new AtomicReference<>();
        Thread shutdown = new Thread(() -> {
            LOG.info("shutting down");
            wiring.refreshes().shutdown();
            // A warm-up under way ends at once with the refreshes (its rehearsal is one); it logs
            // how, before "stopped", which stays the last line.
            awaitEnd(warmUp.getAndSet(new Thread(() -> { }, "warm-up (not started)")));
            app.stop();
            wiring.close();
            LOG.info("stopped");
            BufferedStderrAppender.stopLogging();
        }, "shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(shutdown);
        } catch (IllegalStateException exiting) {
            // The JVM began to exit since the start's last step.
            app.stop();
            wiring.close();
            return stoppedDuringStart();
        }
        wiring.handOverShutdown();
        start.ended();
        if (config.embeddedWarehouse()) {
            LOG.info("serving on http://localhost:{} (embedded warehouse, data in {}; {})", app.port(),
                config.dwhDir(), BuildInfo.describe());
        } else {
            LOG.info("serving on http://localhost:{} (warehouse {}; {})", app.port(), config.warehouseName(),
                BuildInfo.describe());
        }
        if (wiring.refreshIsOpen()) {
            LOG.warn("REFRESH_TOKEN is not set: anyone who can reach port {} can trigger a refresh", app.port());
        }
        // After "serving on": start-up does not wait for it.
        Javalin serving = app;
        Thread warming = WarmUp.inBackground(Wiring.objectMapper(), wiring.refreshes()::running, () -> {
            reportSchemaChanges(wiring);
            wiring.refreshes().prepare();
            WarmUp.routes(serving.jettyServer().server(), wiring.json());
        }, wiring.refreshes()::rehearse, wiring.refreshes()::loadWarmUp);
        if (warmUp.compareAndSet(null, warming)) {
            warming.start();
        }
        return SERVING;
    }

    /** Logs how the warehouse differs from what the migrations made, if it does; a warehouse away is not a fault here. */
    private static void reportSchemaChanges(Wiring wiring) {
        try {
            wiring.reportSchemaChanges();
        } catch (RuntimeException e) {
            LOG.debug("the warehouse's schema could not be compared now ({}); the next refresh compares it",
                e.getMessage());
        }
    }

    /**
     * A start that a SIGTERM or Ctrl-C stopped between two of its steps, all it opened closed: one
     * line, and no error (the exit code is the signal's).
     */
    private static int stoppedDuringStart() {
        LOG.info("stopped during the start, as asked; it did not serve");
        return FAILED;
    }

    /**
     * Prints {@code line} on stderr after the log lines said before it, which wait in the log's
     * buffer for up to 200 ms (BufferedStderrAppender).
     */
    private static void say(PrintStream err, String line) {
        BufferedStderrAppender.writeOutNow();
        err.println(line);
    }

    /** Waits up to 5 s for {@code thread}, if any, to end. */
    private static void awaitEnd(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What an OutOfMemoryError during the start says: the heap, or a thread the JVM could not
     * make. Out of threads (a low `ulimit -u` or `ulimit -v`), the start said it had run out of
     * heap and to give it a larger one, which made it worse.
     */
    static String outOfMemoryAtStart(OutOfMemoryError e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("unable to create native thread") || message.contains("unable to create new native thread")) {
            return "the service could not start a thread while starting (" + Printable.shorten(message, 200)
                + "): raise this user's limit of processes (ulimit -u) or of memory (ulimit -v), or run fewer"
                + " processes as this user";
        }
        return HeapRoom.ranOutStarting();
    }

    private static String portTakenMessage(int port) {
        return "error: port " + port + " is already in use: stop what listens there, or set PORT to a free port";
    }

    /** Whether the server could listen on {@code port} now (on every address, as Jetty does). */
    private static boolean portFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether starting the server failed because its port is taken. */
    private static boolean portTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JavalinBindException || t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    static int refresh(Config config, boolean json, PrintStream out, PrintStream err, StartSteps start) {
        CountDownLatch ended = new CountDownLatch(1);
        // The run's id once it is on record: a failure names it, as POST /refresh's answer does.
        AtomicLong recorded = new AtomicLong();
        // On until the command has said its last and closed the warehouse (see the end).
        AtomicReference<Thread> hooked = new AtomicReference<>();
        try (Wiring wiring = Wiring.start(config, start)) {
            // On SIGTERM: the refresh stops where it is (a source read or a warehouse statement),
            // rolls back and is recorded as a shutdown before the JVM ends; without this its run
            // stayed 'running' until the next start closed it as abandoned.
            Thread hook = new Thread(() -> {
                wiring.refreshes().shutdown();
                try {
                    ended.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                BufferedStderrAppender.stopLogging();
            }, "shutdown");
            try {
                Runtime.getRuntime().addShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                throw new StoppedDuringStartException(); // since the start's last step
            }
            hooked.set(hook);
            wiring.handOverShutdown();
            start.ended();
            RefreshReport report = wiring.refreshes().refresh(Trigger.CLI, false, recorded::set);
            out.print(json ? toJson(report) + "\n" : ReportPrinter.format(report, wiring.ratios().all()));
            out.flush();
            return OK;
        } catch (RuntimeException caught) {
            // A start cut short by the exit is told as stopped, however its step under way failed.
            RuntimeException e = start.exiting() && recorded.get() < 1 ? new StoppedDuringStartException() : caught;
            if (e instanceof StoppedDuringStartException) {
                say(err, "stopped before the refresh began, as asked (SIGTERM or Ctrl-C): the product is unchanged");
            } else if (e instanceof WarehouseStartException) {
                // No refresh began, and there may be no product at all: say where the warehouse was
                // looked for, who holds the lock its start waited for, or why it cannot be used.
                say(err, "error: " + Printable.escape(e.getMessage()));
            } else {
                // The run log's words: the problem's detail, with the cause when it does not say it.
                // "Unchanged", not "the last good product": a new warehouse has none yet. Then the
                // run that holds them, when one was on record, as a refresh's answer names it.
                long runId = recorded.get();
                say(err, "refresh failed, the product is unchanged: " + Printable.escape(RefreshFailure.recorded(e))
                    + (runId < 1 ? "" : " [run " + runId + "]"));
            }
            if (json) {
                // As POST /refresh answers a failed refresh: its problem details, on stdout.
                out.print(toJson(RefreshFailure.ofRun(RefreshFailure.problem(e), recorded.get()).body()) + "\n");
                out.flush();
            }
            return FAILED;
        } finally {
            err.flush();
            ended.countDown();
            removeHook(hooked.get());
        }
    }

    /**
     * Removes the refresh command's hook once the command has said its last and closed the
     * warehouse; when the JVM is already stopping, it runs on, and ends once {@code ended} is
     * counted down. It came off as the refresh returned: a signal while the warehouse closed
     * (half a second, the embedded server's stop) ended the JVM there, before a failure was
     * printed, and left the embedded server running.
     */
    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // The hook is running: it waits for `ended`.
        }
    }

    private static String toJson(Object value) {
        try {
            return Wiring.objectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }
}
