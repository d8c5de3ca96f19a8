package dev.statedoses.ops;

import dev.statedoses.warehouse.Warehouse;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/**
 * What operators and readers of the API use besides the product: {@code GET /health},
 * {@code GET /metrics}, one log line per request, and the contract ({@code GET /openapi.yaml})
 * with its reference ({@code GET /docs}). Built once per {@code Wiring}; App routes to it.
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
        this.health = new Health(state);
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

    /** {@code GET /health/live}: 200 while the process answers. */
    public void live(Context ctx) {
        probes.handleLive(ctx);
    }

    /** {@code GET /health/ready}: 200 while a product can be served, 503 with the reason otherwise. */
    public void ready(Context ctx) {
        probes.handleReady(ctx);
    }

    /** {@code GET /health}: whether the warehouse answers and a product is loaded. */
    public void health(Context ctx) {
        health.handle(ctx);
    }

    /** {@code GET /metrics}: Prometheus text. */
    public void metrics(Context ctx) {
        metrics.handle(ctx);
    }

    /** {@code GET /openapi.yaml}: the API contract. */
    public void openapi(Context ctx) {
        docs.contract(ctx);
    }

    /** {@code GET /docs}: the readable reference. */
    public void docsPage(Context ctx) {
        docs.page(ctx);
    }

    /** {@code GET /docs/assets/{file}}: the reference's scripts and styles, from the jar. */
    public void docsAsset(Context ctx) {
        docs.asset(ctx);
    }

    /** One log line (and one request metric) per request; for {@code config.requestLogger.http}. */
    public void logRequest(Context ctx, Float millis) {
        requests.handle(ctx, millis);
    }

    /**
     * Logs and counts a request answered before Javalin's routes (the snapshot's fast path):
     * {@code path} as sent, {@code route} the template it matched.
     */
    public void logRequest(String method, String path, String route, int status, long nanos) {
        requests.handle(method, path, route, status, nanos);
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
