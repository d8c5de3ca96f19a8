package dev.statedoses.ops;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.statedoses.BuildInfo;
import dev.statedoses.source.SourceName;
import dev.statedoses.warehouse.BoundedReads;
import dev.statedoses.warehouse.Warehouse;
import io.javalin.http.Context;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} in the Prometheus text format: requests per route, method and status; the
 * refreshes as the warehouse records them (read at scrape time, concurrent scrapes sharing one reading, so every
 * instance on the warehouse reports the same); the JVM and the connection pool.
 */
public final class Metrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);

    /**
     * The {@code application} tag of every meter: Grafana's JVM and HTTP dashboards for Micrometer
     * (JVM (Micrometer), Spring Boot statistics) choose the service by it.
     */
    static final String APPLICATION = "state-doses";

    /** The route of a request that matched none (404, 405): one series for all of them. */
    static final String UNMATCHED = "unmatched";
    /** The method label of a request whose method is none of {@link #METHODS}. */
    static final String OTHER_METHOD = "other";
    /** RFC 9110's methods (and PATCH): the method label's values, with {@link #OTHER_METHOD}. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
        "PATCH");

    /** The Prometheus text exposition format, version 0.0.4: what {@code registry.scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Buckets for request latencies: milliseconds for reads, up to minutes for a refresh. */
    private static final Duration[] REQUEST_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final PrometheusMeterRegistry registry;
    private final Map<RequestSeries, Timer> timers = new ConcurrentHashMap<>();
    private final WarehouseState warehouse;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** The warehouse's answer at the last scrape; its meters keep the last values read while it is down. */
    private volatile WarehouseState.Snapshot snapshot;
    private volatile boolean warehouseUp;
    /** Whether the warehouse answered the last scrape without what the migrations made. */
    private volatile boolean warehouseChanged;
    /** Concurrent scrapes share one reading of the warehouse. */
    private final RecentReading<Boolean> reading = new RecentReading<>(this::look);

    /** The outcomes of a scheduled tick (RefreshScheduler.Outcome), as the tick counter's label. */
    static final String[] TICK_OUTCOMES = {"ran", "elsewhere", "fresh", "busy", "unclaimed"};

    Metrics(PrometheusMeterRegistry registry, WarehouseState warehouse, DataSource pool, Supplier<Serving> serving) {
        this.registry = registry;
        this.warehouse = warehouse;
        // Before any meter is registered: common tags apply to the meters registered after them.
        registry.config().commonTags("application", APPLICATION);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (pool instanceof HikariDataSource hikari) {
            // hikaricp_connections_{active,idle,pending,max,min,timeout_total}, acquire/usage/creation times
            hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        bindWarehouse();
        bindServing(serving);
    }

    /** This instance's own view: its build, the age of the product it serves, its schedule. */
    private void bindServing(Supplier<Serving> serving) {
        Gauge.builder("state_doses.build.info", () -> 1)
            .description("Always 1; its labels say what runs: the version, the git commit built, and whether "
                + "the checkout had uncommitted changes")
            .tag("version", BuildInfo.version())
            .tag("commit", BuildInfo.commit())
            .tag("modified", Boolean.toString(BuildInfo.modified()))
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.product.age", serving, s -> {
                Instant at = s.get().refreshedAt();
                // Never below 0, as /health/ready says it: a warehouse whose clock is ahead of ours
                // built it "later than now".
                return at == null ? Double.NaN : Math.max(0, Duration.between(at, Instant.now()).toMillis()) / 1000.0;
            })
            .description("How old the product this instance serves is: now minus its refreshed_at, at least 0 "
                + "(NaN before the first refresh)")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.refresh.next.scheduled.timestamp", serving, s -> {
                Instant next = s.get().nextScheduledRefresh();
                return next == null ? Double.NaN : next.toEpochMilli() / 1000.0;
            })
            .description("When this instance next looks for a scheduled refresh to run, epoch seconds (NaN without REFRESH_INTERVAL)")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
        for (String outcome : TICK_OUTCOMES) {
            FunctionCounter.builder("state_doses.refresh.schedule.ticks", serving, s -> s.get().scheduledTicks(outcome))
                .description("Scheduled refresh times this instance saw, by outcome: ran (it ran the refresh), elsewhere "
                    + "(another instance claimed it), fresh (a refresh had succeeded since), busy (a refresh was running), "
                    + "unclaimed (the warehouse did not answer)")
                .tag("outcome", outcome)
                .register(registry);
        }
    }

    private void bindWarehouse() {
        Gauge.builder("state_doses.warehouse.up", this, m -> m.warehouseUp ? 1 : 0)
            .description("1 when the warehouse answered this scrape, else 0 (the state_doses meters read from it then keep "
                + "their last values, NaN when no scrape has read them since this instance started)")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.warehouse.changed", this, m -> m.warehouseChanged ? 1 : 0)
            .description("1 when the warehouse answered this scrape without a table or column the migrations made "
                + "(dropped by hand, or the database created again): the state_doses meters read from it then keep "
                + "their last values, NaN when no scrape has read them since this instance started; else 0")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.product.state.rows", this, m -> read(s -> s.product().stateRows()))
            .description("Rows in dwh.state_doses, the product served")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.refresh.last.success.timestamp", this, m -> read(s ->
                s.product().lastSuccess() == null ? Double.NaN
                    : s.product().lastSuccess().finishedAt().toEpochMilli() / 1000.0))
            .description("When the last successful refresh finished, epoch seconds: one that built the product "
                + "or found every source unchanged and kept it (alert on time() minus this)")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.refresh.last.success.duration", this, m -> read(s ->
                s.product().lastSuccess() == null ? Double.NaN
                    : Duration.between(s.product().lastSuccess().startedAt(), s.product().lastSuccess().finishedAt())
                        .toNanos() / 1e9))
            .description("How long the last successful refresh (succeeded or unchanged) took")
            .baseUnit("seconds")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.refresh.last.success.run", this, m -> read(s ->
                s.product().lastSuccess() == null ? Double.NaN : s.product().lastSuccess().runId()))
            .description("The run_id of the last successful refresh, succeeded or unchanged (dwh.refresh_runs)")
            .strongReference(true)
            .register(registry);
        Gauge.builder("state_doses.refresh.running", this, m -> read(WarehouseState.Snapshot::running))
            .description("Refreshes running now, on any instance")
            .strongReference(true)
            .register(registry);
        for (String status : WarehouseState.ENDED) {
            FunctionCounter.builder("state_doses.refresh.runs", this, m -> read(s -> s.ended().get(status).runs()))
                .description("Refreshes that ended, by outcome, on every instance (dwh.refresh_runs): succeeded "
                    + "(built the product), unchanged (found every source as before and kept it), failed")
                .tag("status", status)
                .register(registry);
            FunctionTimer.builder("state_doses.refresh.duration", this,
                    m -> (long) read(s -> s.ended().get(status).runs()),
                    m -> read(s -> s.ended().get(status).totalSeconds()),
                    TimeUnit.SECONDS)
                .description("Time the refreshes that ended took, by outcome (dwh.refresh_runs)")
                .tag("status", status)
                .register(registry);
        }
        for (SourceName source : SourceName.values()) {
            Gauge.builder("state_doses.source.rows", this, m -> read(s -> s.sources().containsKey(source)
                    ? s.sources().get(source).rows() : Double.NaN))
                .description("Rows of each source in the product: what the last successful refresh loaded, or kept unchanged")
                .tag("source", source.label())
                .strongReference(true)
                .register(registry);
            Gauge.builder("state_doses.source.size", this, m -> read(s -> s.sources().containsKey(source)
                    ? s.sources().get(source).bytes() : Double.NaN))
                .description("Bytes of each source in the product: what the last successful refresh fetched, or found unchanged")
                .tag("source", source.label())
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        }
    }

    private double read(ToDoubleFunction<WarehouseState.Snapshot> value) {
        WarehouseState.Snapshot current = snapshot;
        return current == null ? Double.NaN : value.applyAsDouble(current);
    }

    /**
     * Counts one answered request; {@code route} is the path template, never the raw path, and
     * {@code method} one of RFC 9110's, or {@link #OTHER_METHOD}: any client may send any method
     * name (answered 405), and each new one made about twenty new series, without end.
     */
    void request(String method, String route, int status, long nanos) {
        String known = METHODS.contains(method) ? method : OTHER_METHOD;
        // Few series (routes x methods x statuses); looked up here rather than built and
        // registered again on every request, which cost more than recording.
        timers.computeIfAbsent(new RequestSeries(known, route, status), series -> Timer.builder("http.server.requests")
                .description("HTTP requests by method, route (path template) and status")
                .tag("method", series.method())
                .tag("route", series.route())
                // The route again, and the status class, under the names Micrometer's Spring-style
                // HTTP dashboards query (uri, outcome); route stays for the queries written before.
                .tag("uri", series.route())
                .tag("outcome", outcome(series.status()))
                .tag("status", Integer.toString(series.status()))
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry))
            .record(nanos, TimeUnit.NANOSECONDS);
    }

    private record RequestSeries(String method, String route, int status) {
    }

    /** The status class as Micrometer names it: SUCCESS, CLIENT_ERROR, ... */
    static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    public void handle(Context ctx) {
        reading.get();
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(CONTENT_TYPE);
        ctx.result(registry.scrape());
    }

    /** Reads the warehouse's values for the meters; one reading at a time, shared by the scrapes waiting for it. */
    private Boolean look() {
        try {
            snapshot = warehouse.snapshot();
            warehouseUp = true;
            warehouseChanged = false;
        } catch (RuntimeException e) {
            // Another session's lock on the product or the run log: the warehouse answered (it
            // refused the lock), and the values stay those of the last reading.
            // So does one without the tables the migrations made (dropped, or created again),
            // which has a meter of its own: its values stay NaN or old until a restart migrates it.
            warehouseChanged = Warehouse.missing(e).isPresent();
            warehouseUp = BoundedReads.lockedOut(e) || warehouseChanged;
            LOG.debug("metrics: the warehouse {}: {}", warehouseUp ? "answered, but the reading failed"
                : "does not answer", WarehouseState.reason(e));
        }
        return warehouseUp;
    }

    @Override
    public void close() {
        gc.close();
    }
}
