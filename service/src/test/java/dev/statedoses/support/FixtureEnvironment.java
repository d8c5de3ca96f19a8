package dev.statedoses.support;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture sources served over real HTTP for one test class, and the environment the command
 * line reads (DB_*, POSTGRES_*, the three *_URL) pointing at them and at a new, empty database: for
 * the tests of the command line as {@code java -jar service.jar} runs it. Made before the class's
 * first test; the sources' server stops after its last. Register it on a static field (JUnit runs
 * class-level callbacks only for those):
 *
 * <pre>{@code @RegisterExtension static final FixtureEnvironment fixtures = new FixtureEnvironment();}</pre>
 */
public final class FixtureEnvironment implements BeforeAllCallback, AfterAllCallback {

    private FixtureServer upstream;
    private Map<String, String> env;

    @Override
    public void beforeAll(ExtensionContext context) {
        upstream = FixtureServer.start();
        env = onNewDatabase();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
        env = null;
    }

    /** The class's environment: one database, which the class's tests share. */
    public Map<String, String> env() {
        started();
        return env;
    }

    /** Another environment on the same sources, with a new, empty database of its own. */
    public Map<String, String> onNewDatabase() {
        return TestWarehouse.environment(upstream().serveFixtureSources(TestWarehouse.newDatabase()));
    }

    /** The server of the sources, to serve more paths (a missing file, say). */
    public FixtureServer upstream() {
        started();
        return upstream;
    }

    private void started() {
        if (upstream == null) {
            throw new IllegalStateException("no sources before the class's first test or after its last");
        }
    }
}
