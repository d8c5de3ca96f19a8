package dev.statedoses;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.SchemaCheck;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A warehouse changed by hand (warehouse/SchemaCheck), through the real interfaces. Before, a
 * trigger that zeroed every ratio loaded with every check passing; a lock table renamed failed
 * every refresh as "Something unexpected failed", unrecorded; a start on a product missing a column
 * ended in a stack trace. Now a refresh is refused before it fetches anything, naming what differs,
 * recorded as failed when the run log allows it, and the last good product stays served (a service
 * started on it says what differs once it serves); a start that cannot read the product says why
 * in one line. Undone, the next refresh runs.
 */
class ChangedWarehouseTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @Test
    void aTriggerAddedByHandIsNamedAndTheRefreshRefusedUntilItIsDropped() {
        String before = loaded.peoplePerDose("NY");
        loaded.jdbi().useHandle(h -> h.execute("create function public.zero() returns trigger language plpgsql as "
            + "$$ begin new.people_per_dose := 0; return new; end $$; create trigger zero before insert on "
            + "dwh.state_doses for each row execute function public.zero()"));
        String said = "dwh.state_doses has a trigger zero that no migration made: it may change or refuse the rows "
            + "a refresh writes";
        try {
            // Another instance, started on the changed warehouse: it serves, and refuses to refresh.
            loaded.refreshFails(loaded.config(), 500, problem -> problem
                .body("type", equalTo("/problems/warehouse-changed"))
                .body("differences", equalTo(List.of(said)))
                .body("detail", startsWith("The warehouse differs from what its migrations made, so no refresh "
                    + "runs on it: " + said + ". Undo these changes")));
            // The command line says the same, and exits 1.
            Run cli = CommandLine.run(TestWarehouse.environment(loaded.config()), "refresh");
            assertEquals(1, cli.code());
            assertTrue(cli.err().startsWith("refresh failed, the product is unchanged: The warehouse "
                + "differs from what its migrations made, so no refresh runs on it: " + said), cli.err());
            assertEquals(before, loaded.peoplePerDose("NY"));
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("drop trigger zero on dwh.state_doses; drop function public.zero()"));
        }
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        assertEquals(before, loaded.peoplePerDose("NY"));
        assertEquals(List.of(), loaded.jdbi().withHandle(h -> h.createQuery(
            "select state from dwh.state_doses where people_per_dose = 0").mapTo(String.class).list()));
    }

    /** A service started on the changed warehouse serves, and says what differs once it does. */
    @Test
    void aServiceStartedOnAChangedWarehouseServesAndNamesEachChange() throws InterruptedException {
        loaded.jdbi().useHandle(h -> h.execute("delete from dwh.jurisdictions where name = 'Chicago'; "
            + "alter table dwh.state_doses_weekly set unlogged"));
        try {
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(loaded.config()));
            env.put("PORT", "0");
            try (ServiceProcess service = ServiceProcess.start("serve", env)) {
                int port = service.awaitServing();
                given().port(port).get("/ratios/IL").then().statusCode(200);
                String warning = "WARN  Wiring the warehouse differs from what its migrations made, and no refresh "
                    + "runs until this is undone: ";
                service.awaitLog(warning + "dwh.state_doses_weekly is an unlogged table, where the migrations made a "
                    + "table", Duration.ofSeconds(30));
                service.awaitLog(warning + "dwh.jurisdictions has lost Chicago (city in Illinois)",
                    Duration.ofSeconds(30));
            }
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("insert into dwh.jurisdictions (name, kind, folds_into) values "
                + "('Chicago', 'city', 'Illinois'); alter table dwh.state_doses_weekly set logged"));
        }
        assertEquals(List.of(), loaded.jdbi().withHandle(SchemaCheck.ofMigrations()::differences));
    }

    @Test
    void aRunLogThatCannotRecordTheRunStillNamesTheChange() {
        long runs = runs();
        loaded.jdbi().useHandle(h -> h.execute("alter table dwh.refresh_lock rename to refresh_lock_gone"));
        try {
            loaded.given().post("/refresh").then().statusCode(500)
                .body("type", equalTo("/problems/warehouse-changed"))
                .body("differences", equalTo(List.of("dwh.refresh_lock is missing (the migrations made it a table)")));
            assertEquals(runs, runs(), "no run could be recorded without the lock");
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("alter table dwh.refresh_lock_gone rename to refresh_lock"));
        }
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        assertEquals(runs + 1, runs());
    }

    @Test
    void aStartOnAProductMissingAColumnSaysWhyInOneLine() {
        loaded.jdbi().useHandle(h -> h.execute("alter table dwh.state_doses rename column people_per_dose to ratio"));
        Run serve;
        try {
            Map<String, String> env = new HashMap<>(TestWarehouse.environment(loaded.config()));
            env.put("PORT", "0");
            serve = CommandLine.run(env, "serve");
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("alter table dwh.state_doses rename column ratio to people_per_dose"));
        }
        assertEquals(1, serve.code(), serve.err());
        assertEquals(1, serve.err().lines().count(), serve.err());
        assertTrue(serve.err().startsWith("error: cannot read the product from the warehouse ("), serve.err());
        assertTrue(serve.err().contains("; it differs from what its migrations made: dwh.state_doses has no column "
            + "people_per_dose (the migrations made it numeric(14,4)). Undo these changes"), serve.err());
    }

    private static long runs() {
        return loaded.jdbi().withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs")
            .mapTo(Long.class).one());
    }
}
