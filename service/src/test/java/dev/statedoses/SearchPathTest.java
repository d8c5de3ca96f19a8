package dev.statedoses;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service's sessions keep a search_path of their own (pg_catalog, pg_temp: Warehouse),
 * whatever the database, the role or DB_PARAMS set. Every statement of the service names its
 * schemas; a path could only change which function or operator a statement means.
 */
class SearchPathTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /**
     * An operator of public's, and a database whose search_path puts public before pg_catalog:
     * every ratio was 1.1 times its value, with every check passing (derived_values divided with
     * the same operator). Nothing of dwh or raw changed; the service's sessions keep their own path.
     */
    @Test
    void aDatabasesSearchPathCannotChangeWhatTheStatementsMean() {
        String before = loaded.peoplePerDose("NY");
        String database = loaded.config().dbName();
        loaded.jdbi().useHandle(h -> h.execute("create function public.more(numeric, numeric) returns numeric "
            + "language sql immutable as 'select pg_catalog.numeric_mul(pg_catalog.numeric_div($1, $2), 1.1)'; "
            + "create operator public./ (leftarg = numeric, rightarg = numeric, function = public.more); "
            + "alter database \"" + database + "\" set search_path = public, pg_catalog"));
        try (RunningApp other = RunningApp.start(loaded.config())) {
            assertEquals("1.1", other.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select (1::numeric operator(public./) 1::numeric)::text").mapTo(String.class).one()).substring(0, 3));
            other.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        } finally {
            loaded.jdbi().useHandle(h -> h.execute("alter database \"" + database + "\" reset search_path; "
                + "drop operator public./ (numeric, numeric); drop function public.more(numeric, numeric)"));
        }
        assertEquals(before, loaded.peoplePerDose("NY"));
    }

}
