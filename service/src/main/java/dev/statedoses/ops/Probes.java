package dev.statedoses.ops;

import io.javalin.http.Context;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The probes an orchestrator asks, shaped as Spring Boot Actuator and MicroProfile Health answer
 * them: {@code status} UP or DOWN, and the same for each component, with its details.
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process can answer at all. Nothing else: a
 *       warehouse outage is no reason to restart it, since it serves the product from memory.
 *   <li>{@code GET /health/ready}: 200 while it has a product to serve (from memory, so also
 *       while the warehouse is away, and while an old product is served); 503 before the first
 *       refresh, with the reason.
 * </ul>
 */
public final class Probes {

    static final String UP = "UP";
    static final String DOWN = "DOWN";

    private final Supplier<Serving> serving;
    private final Clock clock;

    Probes(Supplier<Serving> serving, Clock clock) {
        this.serving = serving;
        this.clock = clock;
    }

    /** A probe's answer: the overall status and each component's. */
    record Answer(String status, Map<String, Component> components) {
    }

    /** One component: UP or DOWN, and what it found. */
    record Component(String status, Map<String, Object> details) {
    }

    Answer live() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
        return new Answer(UP, Map.of("process", new Component(UP, details)));
    }

    Answer ready() {
        Serving now = serving.get();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state_rows", now.stateRows());
        Instant refreshedAt = now.refreshedAt();
        boolean ready = now.stateRows() > 0 && refreshedAt != null;
        if (ready) {
            details.put("refreshed_at", refreshedAt.toString());
            details.put("age_seconds", Math.max(0, Duration.between(refreshedAt, clock.instant()).toSeconds()));
        } else {
            details.put("reason", "no product to serve yet: no refresh has succeeded on this warehouse "
                + "(POST /refresh, the refresh command, or REFRESH_INTERVAL)");
        }
        String status = ready ? UP : DOWN;
        return new Answer(status, Map.of("product", new Component(status, details)));
    }

    public void handleLive(Context ctx) {
        answer(ctx, live());
    }

    public void handleReady(Context ctx) {
        answer(ctx, ready());
    }

    private static void answer(Context ctx, Answer answer) {
        ctx.status(UP.equals(answer.status()) ? 200 : 503);
        ctx.header("Cache-Control", "no-store");
        ctx.json(answer);
    }
}
