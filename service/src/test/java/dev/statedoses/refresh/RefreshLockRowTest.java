package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.LoadedProduct;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The refresh lock is the one row of dwh.refresh_lock. Deleted by hand (a clean-up of the dwh
 * tables, a restore without it), nothing could ever lock it again, and every refresh answered 409,
 * "another refresh is running", when none was. Now the row is put back and the refresh runs;
 * a row another refresh holds still turns a refresh away, and is not put back twice.
 */
class RefreshLockRowTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    private static int rows() {
        return loaded.jdbi().withHandle(h -> h.createQuery("select count(*) from dwh.refresh_lock")
            .mapTo(Integer.class).one());
    }

    @Test
    void aLockRowDeletedByHandIsPutBackAndTheRefreshRuns() {
        loaded.jdbi().useHandle(h -> h.execute("delete from dwh.refresh_lock"));
        assertEquals(0, rows());
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        assertEquals(1, rows());
        loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
        assertEquals(1, rows());
    }

    @Test
    void aLockRowHeldByAnotherRefreshStillTurnsARefreshAway() {
        try (Handle other = loaded.jdbi().open()) {
            other.begin();
            assertEquals(1, other.createQuery("select count(*) from (select 1 from dwh.refresh_lock for update) held")
                .mapTo(Integer.class).one());
            loaded.given().post("/refresh?force=true").then().statusCode(409)
                .body("type", equalTo("/problems/refresh-running"));
            other.rollback();
        }
        assertEquals(1, rows());
        loaded.given().post("/refresh?force=true").then().statusCode(200);
    }
}
