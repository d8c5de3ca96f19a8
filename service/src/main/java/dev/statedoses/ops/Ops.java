package dev.statedoses.ops;

import dev.statedoses.warehouse.Warehouse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/**
 * What operators and readers of the API use besides the product, built once per {@code Wiring}:
 * {@code GET /health} and its probes, {@code GET /metrics}, the contract ({@code GET /openapi.yaml})
 * with its reference ({@code GET /docs}), and what every response gets ({@link EveryResponse}: one
 * log line and one metric per request). App routes to each part's handlers.
 */
public final class Ops implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final Health health;
    private final Probes probes;
    private final Metrics metrics;
    private final RequestLog requests;
    private final ApiDocs docs;
    /** What this instance serves; Wiring says once the product snapshot and the schedule exist. */
    private volatile Serving serving = Serving.NOTHING;

    private Ops(PrometheusMeterRegistry registry, WarehouseState state, Warehouse warehouse) {
        this.registry = registry;
        this.health = new Health(state, () -> serving);
        this.probes = new Probes(() -> serving, Clock.systemUTC());
        this.metrics = new Metrics(registry, state, warehouse.dataSource(), () -> serving);
        this.requests = new RequestLog(metrics);
        this.docs = new ApiDocs();
    }

    public static Ops create(Warehouse warehouse, PrometheusMeterRegistry registry) {
        return new Ops(registry, new WarehouseState(warehouse.jdbi()), warehouse);
    }

    /** From now on the probes and metrics report what {@code serving} says. */
    public void watch(Serving serving) {
        this.serving = serving;
    }

    /** {@code GET /health}: whether the warehouse answers and a product is loaded. */
    public Health health() {
        return health;
    }

    /** {@code GET /health/live} and {@code GET /health/ready}. */
    public Probes probes() {
        return probes;
    }

    /** {@code GET /metrics}: Prometheus text. */
    public Metrics metrics() {
        return metrics;
    }

    /** {@code GET /openapi.yaml}, {@code GET /docs} and the reference's files. */
    public ApiDocs docs() {
        return docs;
    }

    /** A new outermost handler for a server, logging and counting into this instance's log and metrics. */
    public EveryResponse everyResponse() {
        return new EveryResponse(requests);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        metrics.close();
        registry.close();
    }
}
