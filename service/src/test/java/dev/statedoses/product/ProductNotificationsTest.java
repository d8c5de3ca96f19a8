package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.Warehouse;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A NOTIFY on the product's channel wakes an instance up; it decides nothing. Any login of the
 * warehouse may send one, with any payload (PostgreSQL has no privilege for it: the read-only
 * login too), and a payload taken for a run id once made an instance keep its old product for
 * good: told of run 9223372036854775807, it never reloaded again, not even after its own
 * refreshes. Forged notifications of every shape, then a real refresh by another instance and
 * one by the instance itself: each must be served.
 */
class ProductNotificationsTest {

    private static final List<String> FORGED = List.of("9223372036854775807", "-1", "0", "", "not a run",
        "1e9", " 42", "99999999999999999999999");

    @Test
    void forgedNotificationsChangeNothingAndHideNoRefresh() throws Exception {
        try (FixtureServer upstream = FixtureServer.start()) {
            Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
            try (RunningApp a = RunningApp.start(config); RunningApp b = RunningApp.start(config)) {
                String first = refresh(a);
                assertEquals(first, servedBy(a));

                Jdbi anyone = TestWarehouse.jdbi(config);
                for (String payload : FORGED) {
                    anyone.useHandle(h -> h.createQuery("select pg_notify(:channel, :payload)")
                        .bind("channel", Warehouse.PRODUCT_CHANNEL).bind("payload", payload)
                        .mapTo(String.class).one());
                }
                // Long enough for the listener to have handled them (it polls every few hundred ms).
                Thread.sleep(1_500);
                assertEquals(first, servedBy(a), "a forged notification changed what is served");

                // Another instance refreshes: its NOTIFY must still reach a.
                String second = refresh(b);
                assertNotEquals(first, second);
                assertEquals(second, waitUntilServed(a, second));

                // And a's own refresh is served at once.
                String third = refresh(a);
                assertNotEquals(second, third);
                assertEquals(third, servedBy(a));
            }
        }
    }

    /** A forced refresh by {@code app}: the refreshed_at of the product it built, as it serves it (at once). */
    private static String refresh(RunningApp app) {
        app.given().post("/refresh?force=true").then().statusCode(200);
        return servedBy(app);
    }

    private static String servedBy(RunningApp app) {
        return app.given().get("/ratios/NY").then().statusCode(200).extract().jsonPath().getString("refreshed_at");
    }

    private static String waitUntilServed(RunningApp app, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String served = servedBy(app);
        while (!expected.equals(served) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            served = servedBy(app);
        }
        return served;
    }
}
