package dev.statedoses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.statedoses.ops.EveryResponse;
import dev.statedoses.ops.Ops;
import dev.statedoses.ops.Serving;
import dev.statedoses.product.ProductCache;
import dev.statedoses.product.ProductTooLargeException;
import dev.statedoses.product.ProductResponse;
import dev.statedoses.product.RatioController;
import dev.statedoses.product.RatioRepository;
import dev.statedoses.product.SnapshotReads;
import dev.statedoses.refresh.AsyncRefreshes;
import dev.statedoses.refresh.RefreshAccess;
import dev.statedoses.refresh.RefreshController;
import dev.statedoses.refresh.RefreshRuns;
import dev.statedoses.refresh.RefreshRunsController;
import dev.statedoses.refresh.RefreshScheduler;
import dev.statedoses.refresh.RefreshService;
import dev.statedoses.refresh.RunLogRetention;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.CsvFormat;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.UnivocityCsv;
import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.EmbeddedWarehouse;
import dev.statedoses.warehouse.ReaderRole;
import dev.statedoses.warehouse.SchemaCheck;
import dev.statedoses.warehouse.ServerProbe;
import dev.statedoses.warehouse.StartSteps;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.warehouse.WarehouseClock;
import dev.statedoses.warehouse.WarehouseLockedException;
import dev.statedoses.warehouse.WarehouseNotReadyException;
import dev.statedoses.warehouse.WarehouseUnreachableException;
import dev.statedoses.web.CrossOrigin;
import dev.statedoses.web.ServerLimits;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the service's parts from a {@link Config}, once; the CLI, the server and the tests share it. */
public final class Wiring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    /** How soon a run another instance left running when it stopped is closed as abandoned here. */
    static final Duration ABANDONED_RUN_SWEEP = Duration.ofSeconds(15);
    /**
     * How long the start's read of the product waits behind another session's lock on it, as a
     * start waits for Flyway's lock with migrations to apply; its log names the session after
     * {@link BoundedReads#LOCK_WAIT}.
     */
    static final Duration START_READ_WAIT = Duration.ofSeconds(60);
    /** With RUN_LOG_DAYS, the first prune of the run log: not at start, which has more urgent work. */
    static final Duration RUN_LOG_FIRST_PRUNE = Duration.ofMinutes(1);
    /** And the next ones: a day of runs at REFRESH_INTERVAL=45s is deleted in 24 small steps. */
    static final Duration RUN_LOG_PRUNE_EVERY = Duration.ofHours(1);

    private final Warehouse warehouse;
    private final RefreshService refreshes;
    private final RatioRepository ratios;
    private final ObjectMapper json;
    private final RefreshAccess access;
    private final CrossOrigin crossOrigin;
    private final Ops ops;
    /** REFRESH_INTERVAL; null: no schedule. */
    private final Duration refreshInterval;
    /** RUN_LOG_DAYS; null: the run log keeps every run. */
    private final Integer runLogDays;
    /** The run log's pruning, once the service serves (app()) with RUN_LOG_DAYS. */
    private volatile RunLogRetention retention;
    /** The schedule, once the service serves (app()) with a REFRESH_INTERVAL. */
    private volatile RefreshScheduler scheduler;
    /** The snapshot the HTTP service answers from (app()); its reload thread stops with us. */
    private volatile ProductCache product;
    /** Refreshes answered before they end (POST /refresh with Prefer: respond-async). */
    private final AsyncRefreshes async;

    private Wiring(Warehouse warehouse, RefreshService refreshes, RatioRepository ratios, ObjectMapper json,
                   RefreshAccess access, Duration refreshInterval, Integer runLogDays, CrossOrigin crossOrigin) {
        this.warehouse = warehouse;
        this.refreshes = refreshes;
        this.ratios = ratios;
        this.json = json;
        this.access = access;
        this.refreshInterval = refreshInterval;
        this.runLogDays = runLogDays;
        this.async = new AsyncRefreshes(refreshes);
        this.crossOrigin = crossOrigin;
        // This instance's metrics registry (no global one): GET /metrics serves it.
        this.ops = Ops.create(warehouse, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public static Wiring start(Config config) {
        return start(config, StartSteps.unwatched());
    }

    /**
     * As {@link #start(Config)}, stopping between steps once the JVM has begun to exit
     * ({@code steps}): StoppedDuringStartException, with what was opened closed.
     */
    public static Wiring start(Config config, StartSteps steps) {
        try {
            return prepare(config, steps);
        } catch (RuntimeException e) {
            throw Warehouse.explainStart(config.embeddedWarehouse() ? "embedded in " + config.dwhDir()
                : config.warehouseName(), e);
        }
    }

    private static Wiring prepare(Config config, StartSteps steps) {
        Warehouse warehouse = connect(config, steps);
        RefreshService refreshes = null;
        try {
            steps.next();
            ReaderRole.ensure(warehouse.dataSource(), config.readerPassword());
            steps.next();
            CsvFormat csv = new UnivocityCsv();
            refreshes = new RefreshService(
                warehouse.jdbi(),
                new SourceFetcher(config.sourceTimeout(), config.sourceMaxBytes(), BuildInfo.userAgent()),
                new AllocationCsv(csv),
                new CountyPopulationCsv(csv),
                Map.of(SourceName.MODERNA, config.modernaUrl(),
                    SourceName.PFIZER, config.pfizerUrl(),
                    SourceName.POPULATION, config.countyPopulationUrl()),
                Clock.systemUTC());
            refreshes.closeAbandonedRuns();
            steps.next();
            return new Wiring(warehouse, refreshes, new RatioRepository(warehouse.jdbi()), objectMapper(),
                new RefreshAccess(config.refreshToken()), config.refreshInterval(), config.runLogDays(),
                CrossOrigin.allowing(config.corsOrigins()));
        } catch (RuntimeException e) {
            if (refreshes != null) {
                refreshes.close(); // its look for abandoned runs, under way in the background, ends first
            }
            warehouse.close(); // an embedded warehouse stops with it
            throw e;
        }
    }

    /**
     * How the warehouse differs from what the migrations made (SchemaCheck), each difference
     * logged: every refresh refuses to run until it is undone (RefreshService), while the last
     * good product is served. Asked once the service serves, in the background (a catalog query:
     * nothing a start must wait for), and at once when a start cannot read the product.
     */
    public List<String> reportSchemaChanges() {
        SchemaCheck schema = SchemaCheck.ofMigrations();
        return warehouse.jdbi().withHandle(h -> {
            List<String> changed = schema.differences(h);
            schema.newerMigration(h).ifPresent(newest -> LOG.warn("the warehouse was migrated by a newer build "
                + "(to version {}; this build's migrations end at {}): its schema is not compared with this "
                + "build's", newest, schema.version()));
            for (String change : changed) {
                LOG.warn("the warehouse differs from what its migrations made, and no refresh runs until this is "
                    + "undone: {}", change);
            }
            return changed;
        });
    }

    /**
     * Why the product could not be read at start, when the warehouse differs from what the
     * migrations made (a column of the product dropped or retyped): one line that says what to
     * undo, not a stack trace. Otherwise {@code e} as it is.
     */
    private RuntimeException explainUnreadable(RuntimeException e) {
        if (Warehouse.unreachable(e) || e instanceof ProductTooLargeException) {
            return e;
        }
        List<String> changed;
        try {
            changed = reportSchemaChanges();
        } catch (RuntimeException lookFailed) {
            e.addSuppressed(lookFailed);
            return e;
        }
        if (changed.isEmpty()) {
            // A reason of the warehouse's own (a temp_file_limit the read met under a large
            // product): one line that names it, not a stack trace.
            return Warehouse.stopped(e).<RuntimeException>map(why -> new WarehouseNotReadyException(
                "cannot read the product from the warehouse (" + WarehouseUnreachableException.reason(e) + "): "
                    + why + "; start again once that has passed", e)).orElse(e);
        }
        return new WarehouseNotReadyException("cannot read the product from the warehouse ("
            + WarehouseUnreachableException.reason(e) + "); it differs from what its migrations made: "
            + SchemaCheck.describe(changed) + ". Undo these changes, or start on a new database", e);
    }

    private static Warehouse connect(Config config, StartSteps steps) {
        if (config.embeddedWarehouse()) {
            EmbeddedWarehouse embedded = EmbeddedWarehouse.start(config.dwhDir(), config.dbPort(), config.dbName(),
                steps);
            try {
                steps.next();
                return Warehouse.connect(Config.jdbcUrl("127.0.0.1", embedded.port(), config.dbName(), ""),
                    EmbeddedWarehouse.USER, "", embedded, steps);
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
        }
        // The URL carries DB_PARAMS (TLS and the like); the user and password go beside it.
        try {
            return Warehouse.connect(config.jdbcUrl(), config.dbUser(), config.dbPassword(), null, steps);
        } catch (WarehouseUnreachableException e) {
            // The server answered, and refused for a reason of its own (every slot taken, a
            // temp_file_limit its session set-up met): where it runs and the login are not the
            // matter, and saying to check them sent the operator the wrong way.
            Optional<String> stopped = Warehouse.stopped(e);
            String notPostgres = stopped.isPresent() ? "" : ServerProbe.explain(e.getCause(), config.dbHost(),
                config.dbPort()).map(why -> "; " + why).orElse("");
            throw new WarehouseUnreachableException("cannot connect to the warehouse " + config.warehouseName()
                + " as " + config.dbUser() + ": " + e.reason() + notPostgres + stopped.map(why -> ". The warehouse "
                + "refused it for a reason of its own: " + why + "; start again once that has passed")
                .orElse(". Check that PostgreSQL runs there and takes this login: DB_HOST, DB_PORT, POSTGRES_DB, "
                    + "POSTGRES_USER and POSTGRES_PASSWORD (or DATABASE_URL)"),
                e.getCause());
        }
    }

    /** JSON as the API and README show it: snake_case fields, ISO-8601 times. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }

    /**
     * The HTTP service. It serves the product from a snapshot in memory, loaded now and reloaded
     * after every refresh: this process's own at once, another process's when its NOTIFY arrives.
     */
    public Javalin app() {
        return app(ServerLimits.DEFAULT);
    }

    /** The same, with other limits on the server's threads (a test's small pool). */
    public Javalin app(ServerLimits limits) {
        ProductResponse responses = new ProductResponse(json);
        ProductCache product = new ProductCache(ratios, responses);
        this.product = product;
        try {
            product.loadAtStart(BoundedReads.LOCK_WAIT, START_READ_WAIT,
                () -> warehouse.describeLockHolders("dwh.state_doses", "dwh.state_doses_weekly"));
        } catch (WarehouseLockedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw explainUnreadable(e);
        }
        // This process's own refresh holds the reads from just before its commit, reads its product
        // in its transaction then, and swaps it in at once after the commit, on the cache's thread;
        // its NOTIFY then finds it loaded.
        // Another process's reloads it here. A notification is only a wake-up (anyone may send
        // one); after a reconnect (null), when notifications may have been missed, it always reloads.
        refreshes.onCommitting(tx -> {
            ProductCache.HeldReads held = product.holdReads(tx);
            return new RefreshService.Committing(held::reloadFor, held::release);
        });
        // A reload that fails is tried again until it is in: a notification is not sent twice.
        warehouse.onProductChange(payload -> product.reloadOrRetry(payload == null));
        refreshes.sweepAbandonedRuns(ABANDONED_RUN_SWEEP);
        if (refreshInterval != null) {
            scheduler = new RefreshScheduler(warehouse.jdbi(), refreshes, refreshInterval,
                new WarehouseClock(warehouse.jdbi()));
            scheduler.start();
        }
        if (runLogDays != null) {
            retention = new RunLogRetention(warehouse.jdbi(), runLogDays, new WarehouseClock(warehouse.jdbi()));
            retention.start(RUN_LOG_FIRST_PRUNE, RUN_LOG_PRUNE_EVERY);
        }
        ops.watch(serving(product));
        RefreshRuns runs = refreshes.runs();
        return App.create(new App.Controllers(
            new RatioController(ratios, product, responses),
            new SnapshotReads(product, EveryResponse::answered, crossOrigin),
            new RefreshController(refreshes, async, runs, access),
            new RefreshRunsController(runs),
            ops, crossOrigin), json, limits);
    }

    /** The probes' and metrics' view of what this instance serves: the snapshot in memory, the schedule. */
    private Serving serving(ProductCache product) {
        return new Serving() {
            @Override
            public int stateRows() {
                return product.current().rows().size();
            }

            @Override
            public Instant refreshedAt() {
                return product.current().refreshedAt();
            }

            @Override
            public Optional<Throwable> reloadFailure() {
                return product.reloadFailure();
            }

            @Override
            public Instant nextScheduledRefresh() {
                RefreshScheduler current = scheduler;
                return current == null ? null : current.next();
            }

            @Override
            public long scheduledTicks(String outcome) {
                RefreshScheduler current = scheduler;
                return current == null ? 0
                    : current.count(RefreshScheduler.Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)));
            }
        };
    }

    /** The schedule (REFRESH_INTERVAL) once the service serves; null without one. */
    public RefreshScheduler scheduler() {
        return scheduler;
    }

    /** The run log's pruning (RUN_LOG_DAYS) once the service serves; null without it. */
    public RunLogRetention retention() {
        return retention;
    }

    public RefreshService refreshes() {
        return refreshes;
    }

    /** The ObjectMapper the app writes its answers with (the warm-up fills its serializers). */
    public ObjectMapper json() {
        return json;
    }

    /** Whether anyone may trigger a refresh over HTTP (no REFRESH_TOKEN). */
    public boolean refreshIsOpen() {
        return access.open();
    }

    public RatioRepository ratios() {
        return ratios;
    }

    /** The snapshot the service answers from, once it serves (app()); null before. */
    public ProductCache product() {
        return product;
    }

    /** The caller's shutdown hook, just registered, stops this wiring's warehouse from now on (Warehouse.handOverShutdown). */
    public void handOverShutdown() {
        warehouse.handOverShutdown();
    }

    public Warehouse warehouse() {
        return warehouse;
    }

    @Override
    public void close() {
        // Stop refreshing first: a scheduled or asynchronous refresh still fetching then ends at
        // once as a shutdown, and the waits below are short.
        refreshes.shutdown();
        if (scheduler != null) {
            scheduler.close();
        }
        if (retention != null) {
            retention.close();
        }
        async.close();
        refreshes.close();
        if (product != null) {
            product.close();
        }
        ops.close();
        warehouse.close();
    }
}
