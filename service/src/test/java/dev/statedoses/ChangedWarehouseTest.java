package dev.statedoses;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine.Run;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.ServiceProcess;
import dev.statedoses.support.TestWarehouse;
import dev.statedoses.warehouse.SchemaCheck;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    /**
     * An analyst's event trigger that logs DDL into a table named without its schema: it works in
     * the analyst's sessions and fails in the refresh's, whose search_path is pg_catalog and
     * pg_temp, at the refresh's first temporary table. The answer asked whether a table was dropped
     * or the database created again, and the run log said "Something unexpected failed": two things
     * of one failure, neither of them it. Both now say the same, naming the function it failed in.
     */
    @Test
    void anEventTriggersCodeThatFailsInTheRefreshIsNamedTheSameInTheAnswerAndTheRunLog() {
        String before = loaded.peoplePerDose("NY");
        loaded.jdbi().useHandle(h -> h.execute("create table public.ddl_log(tag text); "
            + "create function public.audit_ddl() returns event_trigger language plpgsql as "
            + "$$ begin insert into ddl_log values (tg_tag); end $$; "
            + "create event trigger audit_ddl on ddl_command_end execute function public.audit_ddl()"));
        try {
            String ratios = loaded.given().get("/ratios").asString();
            // Forced: a refresh of unchanged sources writes no table, and runs no DDL.
            String detail = loaded.given().post("/refresh?force=true").then().statusCode(500)
                .body("type", equalTo("/problems/warehouse-changed"))
                .body("differences", equalTo(List.of("relation \"ddl_log\" does not exist")))
                .body("detail", startsWith("Code added to the warehouse that runs inside the service's statements "
                    + "found something missing (relation \"ddl_log\" does not exist, in PL/pgSQL function "
                    + "public.audit_ddl() line 1 at SQL statement"))
                .body("detail", endsWith("a trigger or event trigger runs in the service's session, whose search_path "
                    + "is pg_catalog, pg_temp; name the tables it uses with their schema, or drop it"))
                .extract().path("detail");
            assertEquals(Map.of("status", "failed", "error", detail), lastRun());
            assertEquals(ratios, loaded.given().get("/ratios").asString());
            assertEquals(before, loaded.peoplePerDose("NY"));
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("drop event trigger audit_ddl; drop function public.audit_ddl(); "
                + "drop table public.ddl_log"));
        }
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
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

    /**
     * The run log's totals (kept by a trigger as each run ends) changed by hand, each way a hand
     * may change a table: the refresh is refused, naming it, and its run is on record as failed.
     * Before, the trigger failed the record of the run's end, and the run stayed "running" for as
     * long as the change stood, with a retry every 3 s that could not succeed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("totalsChanged")
    void aRunEndsOnRecordWhateverWasDoneToTheRunTotals(String change, String undo) {
        long runs = runs();
        loaded.jdbi().useHandle(h -> h.execute(change));
        String detail;
        try {
            detail = loaded.given().post("/refresh").then().statusCode(500)
                .body("type", equalTo("/problems/warehouse-changed"))
                .body("differences", hasItem(containsString("dwh.refresh_run_totals")))
                .extract().path("detail");
        } finally {
            loaded.jdbi().useHandle(h -> h.execute(undo));
        }
        assertEquals(runs + 1, runs());
        Map<String, Object> run = lastRun();
        assertEquals("failed", run.get("status"), run.toString());
        assertEquals(detail, run.get("error"));
        assertEquals(0L, running());
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        assertEquals(List.of(), loaded.jdbi().withHandle(SchemaCheck.ofMigrations()::differences));
    }

    static Stream<Arguments> totalsChanged() {
        String table = "alter table dwh.refresh_run_totals ";
        return Stream.of(
            Arguments.of(table + "rename to refresh_run_totals_gone",
                "alter table dwh.refresh_run_totals_gone rename to refresh_run_totals"),
            Arguments.of(table + "rename column runs to n", table + "rename column n to runs"),
            Arguments.of(table + "drop constraint refresh_run_totals_pkey", table + "add primary key (status)"),
            Arguments.of(table + "add constraint few check (runs < 0) not valid", table + "drop constraint few"),
            Arguments.of("drop table dwh.refresh_run_totals", "create table dwh.refresh_run_totals (status text "
                + "primary key check (status in ('succeeded', 'unchanged', 'failed')), runs bigint not null, "
                + "seconds double precision not null)"));
    }

    /**
     * The run log refuses a run's sources once the refresh is under way (a trigger an analyst
     * added meanwhile): the run is closed as failed all the same, saying that its sources could not
     * be recorded and why, and the product stays. Before, it stayed "running" until the trigger
     * went.
     */
    @Test
    void aRunWhoseSourcesTheRunLogRefusesEndsOnRecordWithoutThem() throws Exception {
        String before = loaded.peoplePerDose("NY");
        FixtureServer.Hold hold = loaded.upstream().serveHeld("/held-for-the-run-log/moderna.csv",
            Fixtures.bytes("moderna.csv"));
        Config held = ConfigBuilder.from(loaded.config()).moderna(hold.url()).build();
        try (RunningApp app = RunningApp.start(held)) {
            CompletableFuture<Response> refresh = CompletableFuture.supplyAsync(
                () -> app.given().post("/refresh?force=true"));
            hold.awaitRequested();
            loaded.jdbi().useHandle(h -> h.execute("create function public.refuse() returns trigger language plpgsql "
                + "as $$ begin raise exception 'no sources today'; end $$; create trigger refuse before insert on "
                + "dwh.refresh_run_sources for each row execute function public.refuse()"));
            try {
                hold.release();
                Response answer = refresh.get(30, TimeUnit.SECONDS);
                assertEquals(500, answer.statusCode(), answer.asString());
            } finally {
                hold.release();
                loaded.jdbi().useHandle(h -> h.execute("drop trigger refuse on dwh.refresh_run_sources; "
                    + "drop function public.refuse()"));
            }
        }
        Map<String, Object> run = lastRun();
        assertEquals("failed", run.get("status"), run.toString());
        String error = (String) run.get("error");
        assertTrue(error.contains(" (its sources and checks could not be recorded: ")
            && error.contains("no sources today"), error);
        assertEquals(0L, running());
        assertEquals(before, loaded.peoplePerDose("NY"));
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

    private static Map<String, Object> lastRun() {
        return loaded.jdbi().withHandle(h -> h.createQuery("select status, error from dwh.refresh_runs "
            + "order by run_id desc limit 1").mapToMap().one());
    }

    private static long running() {
        return loaded.jdbi().withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs "
            + "where status = 'running'").mapTo(Long.class).one());
    }

    private static long runs() {
        return loaded.jdbi().withHandle(h -> h.createQuery("select count(*) from dwh.refresh_runs")
            .mapTo(Long.class).one());
    }
}
