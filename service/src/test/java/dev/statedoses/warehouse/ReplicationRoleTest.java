package dev.statedoses.warehouse;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A database (or a login) a superuser set to {@code session_replication_role = replica}: no
 * ordinary trigger fires and no foreign key is checked in its sessions. The run log's trigger
 * then did not count runs in dwh.refresh_run_totals (GET /metrics and /health read them), and the
 * product's keys to the reference went unchecked, with every refresh succeeding. A superuser
 * login's sessions are set back to origin; a login that may not set it is refused a refresh,
 * naming it. The fixtures' Vermont: 1234 people / 700 doses = 1.7629.
 */
class ReplicationRoleTest {

    @Test
    void aSuperuserLoginsSessionsAreSetBackToOriginAndEveryRunIsCounted() {
        Config config = TestWarehouse.newDatabase();
        TestWarehouse.asSuperuser("alter database " + config.dbName() + " set session_replication_role = replica");
        try (FixtureServer upstream = FixtureServer.start();
             RunningApp app = RunningApp.start(upstream.serveFixtureSources(config))) {
            Jdbi jdbi = app.wiring().warehouse().jdbi();
            assertEquals("origin", jdbi.withHandle(h -> h.createQuery("show session_replication_role")
                .mapTo(String.class).one()));
            app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            app.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
            assertEquals(Long.valueOf(2), jdbi.withHandle(h -> h.createQuery(
                "select runs from dwh.refresh_run_totals where status = 'succeeded'").mapTo(Long.class).one()));
            app.given().get("/ratios/VT").then().statusCode(200).body("people_per_dose", equalTo(1.7629f));
        }
        // A session that is not the service's still has the database's setting.
        assertEquals("replica", TestWarehouse.jdbi(config).withHandle(h -> h.createQuery(
            "show session_replication_role").mapTo(String.class).one()));
    }

    @Test
    void aLoginThatMayNotSetItBackIsRefusedARefreshNamingIt() {
        Config config = TestWarehouse.newDatabase("sd_replica_login");
        try (FixtureServer upstream = FixtureServer.start()) {
            Config served = upstream.serveFixtureSources(config);
            try (RunningApp app = RunningApp.start(served)) {
                app.given().post("/refresh").then().statusCode(200).body("status", equalTo("succeeded"));
            }
            TestWarehouse.asSuperuser("alter database " + config.dbName() + " set session_replication_role = replica");
            try (RunningApp app = RunningApp.start(served)) {
                app.given().post("/refresh?force=true").then().statusCode(500)
                    .body("type", equalTo("/problems/warehouse-changed"))
                    .body("differences", hasItem(startsWith("the service's sessions have session_replication_role "
                        + "= replica (set on the database or its login by a superuser)")));
                app.given().get("/ratios/VT").then().statusCode(200).body("people_per_dose", equalTo(1.7629f));
            }
            TestWarehouse.asSuperuser("alter database " + config.dbName() + " reset session_replication_role");
            try (RunningApp app = RunningApp.start(served)) {
                app.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
            }
        }
    }
}
