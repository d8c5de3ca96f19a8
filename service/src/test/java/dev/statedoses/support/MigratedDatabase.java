package dev.statedoses.support;

import dev.statedoses.warehouse.Warehouse;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A database of a test class's own on the test PostgreSQL ({@link TestWarehouse}), migrated as the
 * service migrates it and with the service's pool, for the tests of the warehouse's SQL without a
 * service: created before the class's first test, closed after its last. Register it on a static
 * field (JUnit runs class-level callbacks only for those):
 *
 * <pre>{@code @RegisterExtension static final MigratedDatabase DATABASE = new MigratedDatabase();}</pre>
 */
public final class MigratedDatabase implements BeforeAllCallback, AfterAllCallback {

    private Warehouse warehouse;

    @Override
    public void beforeAll(ExtensionContext context) {
        warehouse = TestWarehouse.connectNewDatabase();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (warehouse != null) {
            warehouse.close();
            warehouse = null;
        }
    }

    public Jdbi jdbi() {
        if (warehouse == null) {
            throw new IllegalStateException("no database before the class's first test or after its last");
        }
        return warehouse.jdbi();
    }
}
