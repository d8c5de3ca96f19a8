package dev.statedoses;

import static io.javalin.apibuilder.ApiBuilder.after;
import static io.javalin.apibuilder.ApiBuilder.beforeMatched;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.head;
import static io.javalin.apibuilder.ApiBuilder.post;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statedoses.ops.EveryResponse;
import dev.statedoses.ops.LiveProbe;
import dev.statedoses.ops.Ops;
import dev.statedoses.product.RatioController;
import dev.statedoses.product.SnapshotReads;
import dev.statedoses.refresh.CheckFailedException;
import dev.statedoses.refresh.RefreshBusyException;
import dev.statedoses.refresh.RefreshController;
import dev.statedoses.refresh.RefreshFailure;
import dev.statedoses.refresh.RefreshRunsController;
import dev.statedoses.refresh.WarehouseChangedException;
import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.SourceException;
import dev.statedoses.util.OpenFiles;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.web.ClientGoneException;
import dev.statedoses.web.CrossOrigin;
import dev.statedoses.web.JettyProblemHandler;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.SentMethod;
import dev.statedoses.web.ServerLimits;
import dev.statedoses.web.UnreadablePaths;
import io.javalin.Javalin;
import io.javalin.apibuilder.ApiBuilder;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP face of the service: every route in one block, every error as a problem detail. */
public final class App {

    private static final Logger LOG = LoggerFactory.getLogger(App.class);
    static final int RETRY_AFTER_SECONDS = 10;
    /** How often a read refused for the warehouse's absence is said at WARN. */
    private static final Duration OUTAGE_WARNING_EVERY = Duration.ofSeconds(10);

    /**
     * The routes pages of other origins may read (CORS, as CORS_ORIGINS allows): the product and
     * its weeks, the log of refreshes, health and the contract, for dashboards and notebooks
     * elsewhere. Not the pages (dashboard, docs), not the metrics (scraped by servers, and about
     * this process), and never a write.
     */
    static final List<String> CROSS_ORIGIN_READS = List.of("/ratios", "/ratios/weekly", "/ratios/{state}",
        "/ratios/{state}/weekly", "/refreshes", "/refreshes/{id}", "/health", "/openapi.yaml");

    private App() {
    }

    /** Everything that answers HTTP, built by {@link Wiring}. */
    public record Controllers(RatioController ratios, SnapshotReads snapshotReads, RefreshController refresh,
                              RefreshRunsController runs, Ops ops, CrossOrigin crossOrigin) {
    }

    public static Javalin create(Controllers c, ObjectMapper json) {
        return create(c, json, ServerLimits.DEFAULT);
    }

    /** With other limits on the threads (a test's small pool). */
    public static Javalin create(Controllers c, ObjectMapper json, ServerLimits limits) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(json, false));
            config.http.prefer405over404 = true;
            // No compression: the product is small, and a gzipped body under the plain body's
            // strong ETag would let a cache serve the wrong bytes.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.threadPool = limits.threadPool();
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(EveryResponse.withHeaders(new JettyProblemHandler(json)));
                // A client that does not read its answers holds no thread for long, whatever the
                // route (ServerLimits says how): Javalin's routes get only part of the threads...
                limits.limitRoutes(server);
                // ...and a client that sends its request slowly holds no descriptor for long.
                limits.limitConnections(server);
                // GET /ratios and GET /ratios/{state} without a query string are answered from the
                // snapshot here, before Javalin's pipeline, exactly as the routes below would
                // answer them (SnapshotReads says why); everything else reaches the routes. In
                // front of both: what every response gets (headers, timing, log line, metric).
                server.insertHandler(c.snapshotReads());
                // ...the liveness probe is answered in Jetty too, outside that limit...
                server.insertHandler(new LiveProbe(c.ops().probes(), json));
                // ...a write that stalls (the fast path's too) ends its connection...
                server.insertHandler(limits.boundStalledWrites());
                // ...the method both ways of answering see is the request line's...
                server.insertHandler(new SentMethod());
                // ...and a path they could not read is refused before either sees it.
                server.insertHandler(new UnreadablePaths());
                server.insertHandler(c.ops().everyResponse());
                // On stop, let requests in flight finish (up to 10 s) before connections close.
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(10_000);
            });
            // Which route answered, for the log line and the metric; a 405's path is a route's too.
            JavalinState javalin = config.unsafe;
            config.requestLogger.http((ctx, millis) -> EveryResponse.routed(ctx, path -> routeOf(javalin, path)));

            // Every read answers GET and HEAD (readable() registers both): HEAD runs the same
            // handler, so its status and headers are GET's, and Jetty sends no body.
            config.routes.apiBuilder(() -> {
                readable("/ratios", c.ratios()::list);
                readable("/ratios/weekly", c.ratios()::allWeeks); // before /ratios/{state}, which it would match
                readable("/ratios/{state}", c.ratios()::one);
                readable("/ratios/{state}/weekly", c.ratios()::weekly);
                post("/refresh", c.refresh()::refresh);
                readable("/refreshes", c.runs()::list);
                readable("/refreshes/{id}", c.runs()::one);
                readable("/health", c.ops().health()::handle);
                readable("/health/live", c.ops().probes()::handleLive);
                readable("/health/ready", c.ops().probes()::handleReady);
                readable("/metrics", c.ops().metrics()::handle);
                readable("/openapi.yaml", c.ops().docs()::contract);
                readable("/docs", c.ops().docs()::page);
                readable("/docs/assets/{file}", c.ops().docs()::asset);
                readable("/", dev.statedoses.dashboard.Dashboard::page);
                readable("/dashboard/{file}", dev.statedoses.dashboard.Dashboard::asset);
                for (String path : CROSS_ORIGIN_READS) {
                    ApiBuilder.staticInstance().options(path, c.crossOrigin()::preflight);
                    after(path, c.crossOrigin()::allowRead);
                }
                beforeMatched("/refresh", c.crossOrigin()::refuseOtherOrigins);
            });

            config.routes.exception(ProblemException.class, (e, ctx) -> {
                e.headers().forEach(ctx::header);
                answer(ctx, e.problem());
            });
            config.routes.exception(SourceAbandonedException.class, (e, ctx) -> {
                ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                answer(ctx, RefreshFailure.problem(e));
            });
            config.routes.exception(SourceException.class, (e, ctx) -> {
                Problem problem = RefreshFailure.problem(e);
                if (problem.status() == 503) { // not the source's fault: this process ran out of open files
                    ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                }
                answer(ctx, problem);
            });
            // Its answer is part written, and nobody is there to read the rest: nothing to say.
            config.routes.exception(ClientGoneException.class,
                (e, ctx) -> LOG.debug("{} {}: {}", ctx.method(), ctx.path(), e.getMessage()));
            config.routes.exception(CheckFailedException.class, (e, ctx) -> answer(ctx, RefreshFailure.problem(e)));
            config.routes.exception(WarehouseChangedException.class,
                (e, ctx) -> answer(ctx, RefreshFailure.problem(e)));
            config.routes.exception(RefreshBusyException.class, (e, ctx) -> {
                ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                answer(ctx, RefreshFailure.problem(e));
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 405) {
                    // RFC 9110: a 405 names the methods the path does take.
                    allowed(e).ifPresent(methods -> ctx.header("Allow", methods));
                }
                // Javalin's words name the method ("Endpoint HEAD /nope not found"): a HEAD is its
                // GET without the body, so it gets the GET's, and the GET's Content-Length.
                String detail = ctx.method() == HandlerType.HEAD && e.getMessage() != null
                    ? e.getMessage().replaceFirst("\\bHEAD ", "GET ") : e.getMessage();
                answer(ctx, Problem.of(e.getStatus(), "http-" + e.getStatus(),
                    HttpStatus.forStatus(e.getStatus()).getMessage(), detail));
            });
            // A known outage answers every read that needs the warehouse at once: one WARN per
            // 10 s says so, the rest go to DEBUG (a flood of reads would otherwise flood the log).
            AtomicLong lastOutageWarning = new AtomicLong(Long.MIN_VALUE);
            config.routes.exception(Exception.class, (e, ctx) -> {
                // Out of reach, or it stopped the work for a reason of its own (a cancel, a
                // timeout, a full disk): the warehouse's condition, a 503 to try again after. Or
                // this process had no descriptor left to reach it with: a 503 of its own.
                if (OpenFiles.ranOut(e) || Warehouse.unreachable(e) || Warehouse.stopped(e).isPresent()) {
                    long now = System.nanoTime();
                    long last = lastOutageWarning.get();
                    if ((last == Long.MIN_VALUE || now - last >= OUTAGE_WARNING_EVERY.toNanos())
                            && lastOutageWarning.compareAndSet(last, now)) {
                        LOG.warn("{} {}: {}: {} (the next ones within {} s at DEBUG)", ctx.method(), ctx.path(),
                            unavailable(e), e.getMessage(), OUTAGE_WARNING_EVERY.toSeconds());
                    } else {
                        LOG.debug("{} {}: {}: {}", ctx.method(), ctx.path(), unavailable(e), e.getMessage());
                    }
                    ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                    answer(ctx, RefreshFailure.problem(e));
                    return;
                }
                Optional<String> gone = Warehouse.missing(e);
                if (gone.isPresent()) {
                    // It answers, but what the migrations made is gone: not an internal error of
                    // ours, nor an outage to wait out (a POST /refresh lists every difference).
                    String missing = gone.get();
                    LOG.warn("{} {}: the warehouse no longer has what the migrations made: {}", ctx.method(),
                        ctx.path(), missing);
                    answer(ctx, RefreshFailure.problem(e));
                } else {
                    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                    answer(ctx, RefreshFailure.internalError());
                }
            });
        });
    }

    /** GET for the reader, and HEAD, answered by the same handler (Javalin alone gives HEAD an empty 200). */
    private static void readable(String path, Handler handler) {
        get(path, handler);
        head(path, handler);
    }

    /**
     * The methods a 405's path takes, as Javalin lists them in the exception's details (under
     * "availableMethods", or "Available methods" for a client that accepts HTML).
     */
    private static Optional<String> allowed(HttpResponseException e) {
        String methods = e.getDetails().getOrDefault("availableMethods", e.getDetails().get("Available methods"));
        return methods == null || methods.isBlank() ? Optional.empty() : Optional.of(methods);
    }

    /** What a 503's log line says is unavailable. */
    private static String unavailable(Exception e) {
        return OpenFiles.ranOut(e) ? "out of open files" : "warehouse unavailable";
    }

    /**
     * The template of the first route whatever method takes {@code path}, as Javalin matches it
     * (its router is built by the time a request is answered).
     */
    private static Optional<String> routeOf(JavalinState javalin, String path) {
        return javalin.internalRouter.allHttpHandlers().stream()
            .filter(route -> route.endpoint.method.isHttpMethod() && route.matches(path))
            .map(route -> route.endpoint.path)
            .findFirst();
    }

    private static void answer(Context ctx, Problem problem) {
        Problem answered = ctx.attribute(RefreshController.RUN_ID) instanceof Long runId
            ? RefreshFailure.ofRun(problem, runId) : problem;
        ctx.status(answered.status());
        ctx.json(answered.body());
        ctx.contentType(Problem.CONTENT_TYPE);
    }
}
