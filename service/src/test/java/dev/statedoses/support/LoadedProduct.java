package dev.statedoses.support;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.statedoses.Config;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A warehouse holding a good product (the fixtures, refreshed once) and the app serving it, for
 * one test class: the starting point of every test that a failed refresh must leave exactly as it
 * was, and of the tests that read the fixture product. Loaded before the class's first test,
 * closed after its last, and after its {@code @AfterAll} methods, so that what a class starts on
 * top of it (a second service on the same warehouse, a browser) is closed first. Register it on a
 * static field (JUnit runs class-level callbacks only for those):
 *
 * <pre>{@code @RegisterExtension static final LoadedProduct loaded = new LoadedProduct();}</pre>
 */
public final class LoadedProduct implements BeforeAllCallback, AfterAllCallback {

    /** The fixture upstream and the app on a new database, the fixture sources served there. */
    private final AppWithUpstream served =
        new AppWithUpstream(upstream -> upstream.serveFixtureSources(TestWarehouse.newDatabase()));

    @Override
    public void beforeAll(ExtensionContext context) {
        served.beforeAll(context);
        given().post("/refresh").then().statusCode(200);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        served.afterAll(context);
    }

    public FixtureServer upstream() {
        return served.upstream();
    }

    /** The configuration that loaded the good product; copy it with other sources or limits. */
    public Config config() {
        return served.config();
    }

    public RunningApp app() {
        return served.app();
    }

    /** The warehouse the product is in, as the app reaches it: for what an analyst does there by hand. */
    public Jdbi jdbi() {
        return app().wiring().warehouse().jdbi();
    }

    /** The people per dose the app serves for the state of postal {@code code}, as JSON writes it. */
    public String peoplePerDose(String code) {
        return given().get("/ratios/" + code).then().statusCode(200).extract().path("people_per_dose").toString();
    }

    /** A request to the app serving the product: {@code loaded.given().get("/ratios")}. */
    public RequestSpecification given() {
        return served.given();
    }

    /**
     * GET /ratios from the app, once it serves the warehouse's product. A refresh committed by
     * another instance reaches it by NOTIFY, within about a second: read before, the answer is
     * the product before that refresh (same rows, an earlier refreshed_at), and a refresh that
     * wrongly committed would show only after. So the app looks at once, as the NOTIFY makes it.
     */
    private String served() {
        app().wiring().product().productMayHaveChanged();
        return given().get("/ratios").asString();
    }

    /**
     * Refreshes from {@code sources} on the same warehouse, expects problem+json with
     * {@code status} and whatever {@code problem} checks; then that the product is byte for byte
     * what it was and the attempt is on record as failed, with the detail it answered, under the
     * {@code run_id} the problem names, and at the {@code instance} it names.
     */
    public void refreshFails(Config sources, int status, Consumer<ValidatableResponse> problem) {
        String before = served();
        String detail;
        Number runId;
        try (RunningApp other = RunningApp.start(sources)) {
            ValidatableResponse response = other.given().post("/refresh").then()
                .statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
            problem.accept(response);
            detail = response.extract().path("detail");
            runId = response.extract().path("run_id");
            assertNotNull(runId, "the problem names no run_id: " + response.extract().asString());
            String instance = response.extract().path("instance");
            assertEquals("/refreshes/" + runId, instance, "where the run's record is");
            other.given().get(instance).then().statusCode(200)
                .body("run_id", equalTo(runId))
                .body("status", equalTo("failed"))
                .body("error", equalTo(detail));
        }
        assertEquals(before, served(), "the product changed");
        Map<String, Object> lastRun = app().wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select run_id, status, error, finished_at is not null as finished from dwh.refresh_runs "
                    + "order by run_id desc limit 1")
            .mapToMap().one());
        assertEquals(runId.longValue(), ((Number) lastRun.get("run_id")).longValue(), "the last run is the one named");
        assertEquals("failed", lastRun.get("status"));
        assertEquals(true, lastRun.get("finished"));
        assertEquals(detail, lastRun.get("error"), "the run records the error the problem reported");
    }
}
