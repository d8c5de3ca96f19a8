package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.TestWarehouse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A refresh behind an analyst's transaction left open after a read of a raw table: it waits at its
 * truncate for as long as the transaction is open, as documented, but the run was only "running",
 * with not a line in the log to say why. The log now names the session it waits for, once, and
 * the refresh goes on when that session's transaction ends.
 */
class RefreshLockWaitTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** The lock watch's lines, looked at every 200 ms rather than every 5 s. */
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LockWaitWatch.class);

    @BeforeEach
    void watchClosely() {
        log.start();
        logger.addAppender(log);
        logger.setLevel(Level.INFO);
        loaded.app().wiring().refreshes().lockWatchEvery(Duration.ofMillis(200));
    }

    @AfterEach
    void watchAsUsual() {
        loaded.app().wiring().refreshes().lockWatchEvery(LockWaitWatch.EVERY);
        logger.detachAppender(log);
    }

    @Test
    void aRefreshWaitingForAnAnalystsLockNamesTheSessionInTheLog() throws Exception {
        try (Handle analyst = TestWarehouse.jdbi(loaded.config()).open()) {
            analyst.execute("set application_name = 'analyst psql'");
            int pid = analyst.createQuery("select pg_backend_pid()").mapTo(Integer.class).one();
            analyst.begin();
            analyst.createQuery("select count(*) from raw.cdc_moderna_allocations").mapTo(Long.class).one();
            CompletableFuture<String> refresh = CompletableFuture.supplyAsync(() -> loaded.given()
                .post("/refresh?force=true").then().statusCode(200).extract().path("status"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (waits(log).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1_000); // five more looks, the same session: said once
            assertFalse(refresh.isDone(), "the refresh did not wait for the analyst's lock");
            List<String> said = waits(log);
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).startsWith("the refresh waits for a lock held by pid " + pid + " (login postgres, "
                + "application 'analyst psql', idle in transaction, in a transaction for "), said.get(0));
            assertTrue(said.get(0).endsWith("): it goes on when that session ends its transaction (a superuser may "
                + "end it: select pg_terminate_backend(<pid>))"), said.get(0));
            analyst.rollback();
            assertEquals("succeeded", refresh.get());

            // No wait, no word: a refresh that waits for nothing logs nothing of the kind.
            log.list.clear();
            loaded.given().post("/refresh?force=true").then().statusCode(200).body("status", equalTo("succeeded"));
            assertEquals(List.of(), waits(log));
        }
    }

    /**
     * The same wait before the run is on record: an analyst's lock on the refresh lock's table, or
     * on the run log (a VACUUM FULL, an ALTER left in an open transaction), held the refresh at
     * taking its lock or writing its run, and the watch began only after both: not a word in the
     * log, while a second refresh was turned away as busy and the run log showed none running.
     */
    @Test
    void aRefreshWaitingBeforeItsRunIsOnRecordNamesTheSessionToo() throws Exception {
        try (Handle analyst = TestWarehouse.jdbi(loaded.config()).open()) {
            analyst.execute("set application_name = 'analyst psql'");
            int pid = analyst.createQuery("select pg_backend_pid()").mapTo(Integer.class).one();
            for (String table : List.of("dwh.refresh_lock", "dwh.refresh_runs")) {
                log.list.clear();
                analyst.begin();
                analyst.execute("lock table " + table + " in access exclusive mode");
                CompletableFuture<String> refresh = CompletableFuture.supplyAsync(() -> loaded.given()
                    .post("/refresh?force=true").then().statusCode(200).extract().path("status"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (waits(log).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertFalse(refresh.isDone(), table + ": the refresh did not wait for the analyst's lock");
                List<String> said = waits(log);
                assertEquals(1, said.size(), table + ": " + said);
                assertTrue(said.get(0).startsWith("the refresh waits for a lock held by pid " + pid
                    + " (login postgres, application 'analyst psql', "), table + ": " + said.get(0));
                analyst.rollback();
                assertEquals("succeeded", refresh.get(), table);
            }
        }
    }

    private static List<String> waits(ListAppender<ILoggingEvent> log) {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
            .toList();
    }
}
