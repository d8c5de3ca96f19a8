package dev.statedoses.support;

import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real service on a new, empty database of its own ({@link TestWarehouse#newDatabase()}), never
 * refreshed, for one test class: for what the service answers before any refresh, and for what
 * does not depend on data (its files, its contract). Started before the class's first test, closed
 * after its last (after its {@code @AfterAll} methods). Register it on a static field (JUnit runs
 * class-level callbacks only for those):
 *
 * <pre>{@code @RegisterExtension static final AppOnNewDatabase empty = new AppOnNewDatabase();}</pre>
 */
public final class AppOnNewDatabase implements BeforeAllCallback, AfterAllCallback {

    private RunningApp app;

    @Override
    public void beforeAll(ExtensionContext context) {
        app = RunningApp.start(TestWarehouse.newDatabase());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.close();
            app = null;
        }
    }

    public RunningApp app() {
        if (app == null) {
            throw new IllegalStateException("no service before the class's first test or after its last");
        }
        return app;
    }

    /** A request to the service: {@code empty.given().get("/ratios")}. */
    public RequestSpecification given() {
        return app().given();
    }
}
