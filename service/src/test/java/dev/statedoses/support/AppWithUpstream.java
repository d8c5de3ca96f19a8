package dev.statedoses.support;

import dev.statedoses.Config;
import io.restassured.specification.RequestSpecification;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link FixtureServer} playing the sources' upstream and the real service fetching from it, on a
 * new database, for one test class that serves its own sources (or its own variants of the
 * fixtures) and refreshes as it goes. Nothing is served or refreshed here: by default the service
 * looks for its sources at /m.csv, /p.csv and /c.csv ({@link FixtureServer#sourcesOnNewDatabase()}),
 * which the class serves itself, in its {@code @BeforeAll} methods or its tests. Started before
 * the class's first test (before its {@code @BeforeAll} methods), closed after its last (after its
 * {@code @AfterAll} methods): the service first, then the upstream. {@link LoadedProduct} is one
 * with the fixtures served and refreshed once. Register it on a static field (JUnit runs
 * class-level callbacks only for those):
 *
 * <pre>{@code @RegisterExtension static final AppWithUpstream served = new AppWithUpstream();}</pre>
 */
public final class AppWithUpstream implements BeforeAllCallback, AfterAllCallback {

    private final Function<FixtureServer, Config> configuration;
    private FixtureServer upstream;
    private Config config;
    private RunningApp app;

    /** The service on a new database, its sources at /m.csv, /p.csv and /c.csv on the upstream. */
    public AppWithUpstream() {
        this(FixtureServer::sourcesOnNewDatabase);
    }

    /** The service on what {@code configuration} makes of the started upstream (what it serves, where). */
    public AppWithUpstream(Function<FixtureServer, Config> configuration) {
        this.configuration = configuration;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Field by field: afterAll closes what started, even when a later step failed.
        upstream = FixtureServer.start();
        config = configuration.apply(upstream);
        app = RunningApp.start(config);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        app = null;
        config = null;
        upstream = null;
    }

    public FixtureServer upstream() {
        return started(upstream);
    }

    /** The configuration the service started with; copy it with other sources or limits. */
    public Config config() {
        return started(config);
    }

    public RunningApp app() {
        return started(app);
    }

    /** A request to the service: {@code served.given().post("/refresh")}. */
    public RequestSpecification given() {
        return app().given();
    }

    private static <T> T started(T part) {
        if (part == null) {
            throw new IllegalStateException("no upstream or service before the class's first test or after its last");
        }
        return part;
    }
}
