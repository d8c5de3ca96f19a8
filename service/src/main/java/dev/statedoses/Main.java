package dev.statedoses;

import dev.statedoses.ops.BufferedStderrAppender;
import dev.statedoses.refresh.RefreshReport;
import dev.statedoses.source.SourceException;
import dev.statedoses.text.Printable;
import io.javalin.Javalin;
import java.io.PrintStream;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code serve} (the default) runs the HTTP service; {@code refresh} runs one
 * refresh, prints the product and exits 0, or prints the error and exits 1.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    static final int SERVING = -1;

    private static final String USAGE = """
        usage: java -jar service.jar [serve|refresh]
          serve    run the HTTP service (default)
          refresh  fetch the sources, rebuild dwh.state_doses, print it, and exit
        Configuration comes from environment variables; see README.md.""";

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != SERVING) {
            BufferedStderrAppender.stopLogging();
            System.exit(code);
        }
    }

    /** Runs a command; returns its exit code, or {@link #SERVING} while the server runs on. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "serve" : args[0];
        Config config;
        try {
            config = Config.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            // stderr carries the log too: a value quoted in the message must not start a line of its own
            err.println("configuration error: " + Printable.escape(e.getMessage()));
            return 2;
        }
        return switch (command) {
            case "serve" -> serve(config);
            case "refresh" -> refresh(config, out, err);
            case "help", "-h", "--help" -> {
                out.println(USAGE);
                yield 0;
            }
            default -> {
                err.println("unknown command '" + Printable.shorten(command, 40) + "'\n" + USAGE);
                yield 2;
            }
        };
    }

    private static int serve(Config config) {
        Wiring wiring = Wiring.start(config);
        Javalin app;
        try {
            app = wiring.app().start(config.port());
        } catch (RuntimeException e) {
            wiring.close(); // an embedded warehouse must not outlive a service that never served
            throw e;
        }
        // On SIGTERM: a refresh still reading its sources stops and rolls back (its caller gets a
        // 503), requests in flight finish, then the pool closes and the embedded server stops.
        // Registered before "serving on" is logged, so whoever waits for that line may stop us.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            wiring.refreshes().shutdown();
            app.stop();
            wiring.close();
            LOG.info("stopped");
            BufferedStderrAppender.stopLogging();
        }, "shutdown"));
        if (config.embeddedWarehouse()) {
            LOG.info("serving on http://localhost:{} (embedded warehouse, data in {})", app.port(), config.dwhDir());
        } else {
            LOG.info("serving on http://localhost:{} (warehouse {}:{}/{})", app.port(), config.dbHost(),
                config.dbPort(), config.dbName());
        }
        if (wiring.refreshIsOpen()) {
            LOG.warn("REFRESH_TOKEN is not set: anyone who can reach port {} can trigger a refresh", app.port());
        }
        return SERVING;
    }

    static int refresh(Config config, PrintStream out, PrintStream err) {
        try (Wiring wiring = Wiring.start(config)) {
            RefreshReport report = wiring.refreshes().refresh(dev.statedoses.refresh.Trigger.CLI);
            out.print(ReportPrinter.format(report, wiring.ratios().all()));
            out.flush();
            return 0;
        } catch (SourceException e) {
            err.println("refresh failed, the last good product is unchanged: " + Printable.escape(e.describe()));
            return 1;
        } catch (RuntimeException e) {
            err.println("refresh failed, the last good product is unchanged: " + Printable.escape(e.getMessage()));
            return 1;
        }
    }
}
