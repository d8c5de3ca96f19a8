package dev.statedoses;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statedoses.product.HeapRoom;
import dev.statedoses.product.ProductResponse;
import dev.statedoses.product.ProductSnapshot;
import dev.statedoses.refresh.CheckResult;
import dev.statedoses.refresh.Exclusion;
import dev.statedoses.refresh.LoadWarmUp;
import dev.statedoses.refresh.RefreshReport;
import dev.statedoses.refresh.Rehearsal;
import dev.statedoses.refresh.SourceReport;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.UnivocityCsv;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once the service serves, a background thread runs the Java work of a refresh (fetching, parsing,
 * checking and encoding three generated sources: {@link LoadWarmUp}) and of a snapshot reload
 * (writing every answer of a generated product: {@link ProductSnapshot#warmUp}) a few times, then
 * rehearses a whole refresh on the last good load, twice, in transactions it rolls back
 * ({@link dev.statedoses.refresh.Rehearsal}), so that the JIT compiles that code before the first
 * real refresh needs it.
 *
 * <p>A refresh is rare and usually the first since the start: measured by bench/refresh.sh, the
 * second to sixth refresh after a start took about twice as long as the twentieth, most of it the
 * JIT interpreting and compiling that code on the cores the warehouse also needs. Before its
 * rounds it sets up what the first refresh would otherwise set up on its own time
 * ({@link dev.statedoses.refresh.RefreshService#prepare}: the sources' HTTP client, with one
 * fetch from a loopback server of its own, and the statements parsed; and {@link #routes}: a
 * first request through Javalin's routes, and a report written). The rounds alone still left the
 * first refresh 1.3 to 1.9 times the next (the JIT compiled the driver's SQL parsing, the checks'
 * and the COPY's real paths during it); with the rehearsals after them, it took as long as the
 * next. Nothing here touches any host but the warehouse and loopback servers of its own, and
 * nothing it does is kept but those set-ups; it runs after the first answer can be given, so
 * start-up does not wait for it; its rounds stop when a refresh starts, so that they never take
 * the cores from one, and a refresh asked for during a rehearsal waits for it (a few tenths of a
 * second).
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /** Enough for the row paths to reach C2 (thousands of calls each); about a second of one core, cold. */
    static final int ROUNDS = 12;
    /**
     * Two, after the rounds: the first refresh after a start then took as long as the next (a
     * second rehearsal takes about half the first's time; a third was not measured). One whole
     * rehearsal before the rounds left it at 357 ms against about 260 (PROGRESS.md, 2026-12-01).
     */
    static final int REHEARSALS = 2;
    /**
     * The heap the rounds need free (their generated sources, parsed, and a generated product's
     * answers): under -Xmx32m, with 11 MiB free beside a product 300 times the real size, they ran
     * it out; with 19 MiB free (-Xmx40m) they did not.
     */
    static final long HEAP = 16L << 20;

    private final LoadWarmUp load;
    private final ProductResponse responses;

    /** Each generated body parsed from memory (the tests'). */
    WarmUp(ObjectMapper json) {
        this(json, inMemory());
    }

    /** {@code load}: in the service, each body fetched as a refresh fetches (RefreshService#loadWarmUp). */
    WarmUp(ObjectMapper json, LoadWarmUp load) {
        this.load = load;
        this.responses = new ProductResponse(json);
    }

    private static LoadWarmUp inMemory() {
        UnivocityCsv csv = new UnivocityCsv();
        return new LoadWarmUp(new AllocationCsv(csv), new CountyPopulationCsv(csv));
    }

    /** What the rounds did: rows parsed and encoded, answer bytes written. */
    record Done(int rounds, long rows, long bytes, long millis) {
    }

    /**
     * Runs up to {@code rounds} rounds here, and none after {@code refreshing} says a refresh has
     * started: the warm-up would only take the cores from it (a scheduled refresh at start, a
     * deploy's first POST).
     */
    Done run(int rounds, BooleanSupplier refreshing) {
        long started = System.nanoTime();
        long rows = 0;
        long bytes = 0;
        int done = 0;
        while (done < rounds && !refreshing.getAsBoolean()) {
            rows += load.round();
            bytes += ProductSnapshot.warmUp(responses, LoadWarmUp.WEEKS);
            done++;
        }
        return new Done(done, rows, bytes, (System.nanoTime() - started) / 1_000_000);
    }

    /** What {@link #routes} asks for: a route of Javalin's that reads nothing from the warehouse. */
    static final String ROUTE = "/openapi.yaml";

    /**
     * The first request through Javalin's routes, and the first refresh report written, cost the
     * first refresh about 100 to 250 ms more on this 2-core machine (its answer took that much
     * longer than its work; bench/refresh.sh's first refresh after a start), most of it the
     * servlet pipeline's first run and Jackson building its serializers for the report. The
     * snapshot's reads, answered in Jetty, never reach that pipeline, so a service polled only by
     * dashboards met it at its first refresh. This sends one GET of {@link #ROUTE} through the
     * whole server, on an in-memory connector that no client can reach and that is removed after
     * (ops.EveryResponse neither logs nor counts its requests), and writes a made-up report with
     * the app's own {@code json}. Nothing touches the warehouse.
     */
    static void routes(Server server, ObjectMapper json) {
        LocalConnector local = new LocalConnector(server);
        server.addConnector(local);
        try {
            local.start();
            String answer = local.getResponse("GET " + ROUTE + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            if (answer == null || !answer.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("GET " + ROUTE + " on the warm-up's connector: "
                    + (answer == null ? "no answer" : answer.lines().findFirst().orElse("")));
            }
            json.writeValueAsBytes(new RefreshReport(0, RefreshReport.SUCCEEDED, Instant.EPOCH, Instant.EPOCH, 0,
                List.of(new SourceReport("moderna", "https://example.invalid/m.csv", 1, 1, "0", 0, 1, false, "\"e\"",
                    "Mon, 04 Jan 2021 00:00:00 GMT", "https://example.invalid/a/m.csv", LocalDate.EPOCH,
                    LocalDate.EPOCH, 1, "1:0")), 1, 1, 1, 0,
                List.of(new Exclusion("Guam", "territory", 1, 0, 1)), List.of(new CheckResult("unique", "pass", "ok"))));
        } catch (Exception e) {
            throw new IllegalStateException("warming the routes failed: " + e.getMessage(), e);
        } finally {
            try {
                local.stop();
            } catch (Exception e) {
                LOG.debug("stopping the warm-up's connector failed: {}", e.getMessage());
            }
            server.removeConnector(local);
        }
    }

    /**
     * A daemon thread, not yet started (the caller starts it, unless the service is stopping
     * already), that runs first {@code prepare} (what the first refresh would set up on its own
     * time: the HTTP client's TLS and its first exchange, and JDBI's parsing of its statements:
     * about half of a first refresh's 730 ms; then {@link #routes}), then the rounds on the
     * sources {@code load} makes, then {@code rehearse} {@link #REHEARSALS} times (a whole refresh,
     * rolled back: {@link dev.statedoses.refresh.Rehearsal}; it answers what it did, for the log),
     * then the line {@code warm-up: ...}. A failure of any is logged and harms nothing.
     */
    static Thread inBackground(ObjectMapper json, BooleanSupplier refreshing, Runnable prepare,
                                    Supplier<Rehearsal.Outcome> rehearse, Supplier<LoadWarmUp> load) {
        Thread thread = new Thread(() -> {
            long started = System.nanoTime();
            try {
                prepare.run();
                LOG.info("set up ahead of the first refresh, in {} ms: the sources' HTTP client (with one fetch from a "
                    + "loopback server of its own), the refresh's statements, parsed, and a first request through the "
                    + "routes",
                    (System.nanoTime() - started) / 1_000_000);
            } catch (SourceAbandonedException e) {
                LOG.info("warm-up: stopped, as the service is shutting down");
                return;
            } catch (RuntimeException e) {
                LOG.warn("setting up ahead of the first refresh failed ({}); the refresh sets up what it needs itself",
                    e.toString());
            }
            if (!HeapRoom.hasFree(HEAP)) {
                // A heap that barely holds the product (and the reads' few buffers) ran out in the
                // rounds, and the process ended with it under -XX:+ExitOnOutOfMemoryError.
                LOG.info("warm-up skipped: its rounds take about {} MiB of heap, and this JVM's ({} MiB, -Xmx) has less "
                    + "free beside the product; refreshes run colder", HEAP >> 20, HeapRoom.maxMib());
                return;
            }
            try {
                Done done = new WarmUp(json, load.get()).run(ROUNDS, refreshing);
                if (done.rounds() < ROUNDS) {
                    LOG.info("warm-up: stopped after {} of {} rounds in {} ms, as a refresh started", done.rounds(),
                        ROUNDS, done.millis());
                    return;
                }
                // Last, so that the last code paths the JIT profiles are a real refresh's.
                rehearse(rehearse);
                LOG.info("warm-up: a refresh's fetching and parsing, and a snapshot's answers, run {} times on generated data "
                    + "({} rows, {} bytes) in {} ms", done.rounds(), done.rows(), done.bytes(), done.millis());
            } catch (SourceAbandonedException e) {
                // The shutdown ended the refreshes, and the warm-up's with them: no fault.
                LOG.info("warm-up: stopped, as the service is shutting down");
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.warn("warm-up failed ({}); refreshes run as before, only colder", e.toString());
            }
        }, "warm-up");
        thread.setDaemon(true);
        return thread;
    }

    /**
     * {@code rehearse} ({@link dev.statedoses.refresh.Rehearsal}) {@link #REHEARSALS} times, each
     * logged; once, when it is skipped (no load yet, a refresh under way, too large).
     */
    private static void rehearse(Supplier<Rehearsal.Outcome> rehearse) {
        try {
            for (int i = 0; i < REHEARSALS; i++) {
                Rehearsal.Outcome outcome = rehearse.get();
                LOG.info("rehearsal of a refresh {}", outcome.describe());
                if (outcome.skipped() != null) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("rehearsing a refresh failed ({}); nothing was kept, and the first refresh runs colder",
                e.toString());
        }
    }
}
