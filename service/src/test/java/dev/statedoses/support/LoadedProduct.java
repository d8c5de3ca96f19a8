package dev.statedoses.support;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A warehouse holding a good product (the fixtures, refreshed once) and the app serving it: the
 * starting point of every test that a failed refresh must leave exactly as it was.
 */
public final class LoadedProduct implements AutoCloseable {

    private final FixtureServer upstream;
    private final Config config;
    private final RunningApp app;

    private LoadedProduct(FixtureServer upstream, Config config, RunningApp app) {
        this.upstream = upstream;
        this.config = config;
        this.app = app;
    }

    public static LoadedProduct start() {
        FixtureServer upstream = FixtureServer.start();
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        RunningApp app = RunningApp.start(config);
        app.given().post("/refresh").then().statusCode(200);
        return new LoadedProduct(upstream, config, app);
    }

    public FixtureServer upstream() {
        return upstream;
    }

    /** The configuration that loaded the good product; copy it with other sources or limits. */
    public Config config() {
        return config;
    }

    public RunningApp app() {
        return app;
    }

    /**
     * Refreshes from {@code sources} on the same warehouse, expects problem+json with
     * {@code status} and whatever {@code problem} checks; then that the product is byte for byte
     * what it was and the attempt is on record as failed, with the detail it answered.
     */
    public void refreshFails(Config sources, int status, Consumer<ValidatableResponse> problem) {
        String before = app.given().get("/ratios").asString();
        String detail;
        try (RunningApp other = RunningApp.start(sources)) {
            ValidatableResponse response = other.given().post("/refresh").then()
                .statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
            problem.accept(response);
            detail = response.extract().path("detail");
        }
        assertEquals(before, app.given().get("/ratios").asString(), "the product changed");
        Map<String, Object> lastRun = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select status, error, finished_at is not null as finished from dwh.refresh_runs "
                    + "order by run_id desc limit 1")
            .mapToMap().one());
        assertEquals("failed", lastRun.get("status"));
        assertEquals(true, lastRun.get("finished"));
        assertEquals(detail, lastRun.get("error"), "the run records the error the problem reported");
    }

    @Override
    public void close() {
        app.close();
        upstream.close();
    }
}
