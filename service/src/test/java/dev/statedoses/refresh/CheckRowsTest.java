package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.refresh.CheckRows.Query;
import dev.statedoses.support.MigratedDatabase;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.warehouse.WarehouseException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

/**
 * The source checks' queries sent ahead in one round trip ({@link CheckRows}): each query's rows
 * reach its own reader, whatever the number of queries and of rows; a query that fails undoes the
 * batch and leaves each to run in turn, in the same transaction; a cancelled batch ends there.
 */
class CheckRowsTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    @Test
    void eachQueryGetsItsOwnRowsWhateverTheirNumbers() {
        Random random = new Random(20261130);
        for (int round = 0; round < 40; round++) {
            // Queries of 0 to 4 rows each, the rows numbered by query: a row read by another query's
            // reader, or a query's rows shifted onto the next, would show in the numbers.
            int count = 1 + random.nextInt(12);
            List<Integer> sizes = new ArrayList<>();
            List<Query<String>> queries = new ArrayList<>();
            for (int q = 0; q < count; q++) {
                int size = random.nextInt(5);
                sizes.add(size);
                queries.add(new Query<>("select " + q + " || ':' || n as row from generate_series(1, " + size
                    + ") n order by n", rs -> rs.getString("row")));
            }
            database.jdbi().useTransaction(tx -> {
                CheckRows rows = CheckRows.ahead(tx, List.copyOf(queries));
                assertTrue(rows.readAhead());
                for (int q = 0; q < count; q++) {
                    List<String> expected = new ArrayList<>();
                    for (int n = 1; n <= sizes.get(q); n++) {
                        expected.add(q + ":" + n);
                    }
                    assertEquals(expected, rows.list(queries.get(q)));
                    assertEquals(expected.stream().findFirst(), rows.first(queries.get(q)));
                }
            });
        }
    }

    @Test
    void aQueryNotSentAheadRunsWhenAsked() {
        Query<Long> ahead = new Query<>("select 7::bigint", rs -> rs.getLong(1));
        Query<Long> later = new Query<>("select count(*) from dwh.jurisdictions where kind = 'state'",
            rs -> rs.getLong(1));
        database.jdbi().useTransaction(tx -> {
            CheckRows rows = CheckRows.ahead(tx, List.of(ahead));
            assertEquals(Optional.of(7L), rows.first(ahead));
            assertEquals(List.of(50L), rows.list(later));
        });
    }

    @Test
    void aFailingQueryUndoesTheBatchAndEachQueryRunsInTurn() {
        // The first query changes a setting local to the transaction: undone with the batch.
        Query<String> setting = new Query<>("select set_config('state_doses.probe', 'in the batch', true)",
            rs -> rs.getString(1));
        Query<Integer> before = new Query<>("select 1", rs -> rs.getInt(1));
        Query<Integer> failing = new Query<>("select 1 / (select count(*)::int - count(*)::int from dwh.jurisdictions)",
            rs -> rs.getInt(1));
        Query<Integer> after = new Query<>("select 3", rs -> rs.getInt(1));
        database.jdbi().useTransaction(tx -> {
            tx.execute("select set_config('state_doses.probe', 'before', true)");
            CheckRows rows = CheckRows.ahead(tx, List.of(setting, before, failing, after));

            assertFalse(rows.readAhead());
            assertEquals("before", probe(tx), "the batch's work is undone; the transaction's before it stays");
            // Each query now runs when asked, in the same, still usable, transaction.
            assertEquals(List.of(1), rows.list(before));
            assertEquals(Optional.of(3), rows.first(after));
            UnableToExecuteStatementException e = assertThrows(UnableToExecuteStatementException.class,
                () -> rows.first(failing));
            assertEquals("22012", ((SQLException) e.getCause()).getSQLState(), "division by zero, again");
        });
    }

    @Test
    void aCancelledBatchEndsTheChecks() throws Exception {
        Query<Integer> slow = new Query<>("select 1 from pg_sleep(30)", rs -> rs.getInt(1));
        try (Handle tx = database.jdbi().open()) {
            tx.begin();
            PGConnection connection = tx.getConnection().unwrap(PGConnection.class);
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    // Once the batch waits in the server (pg_stat_activity shows it), cancel it.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (System.nanoTime() < deadline && !sleeping()) {
                        Thread.sleep(20);
                    }
                    connection.cancelQuery();
                } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long started = System.nanoTime();
            WarehouseException e = assertThrows(WarehouseException.class, () -> CheckRows.ahead(tx, List.of(slow)));
            cancel.get(10, TimeUnit.SECONDS);
            assertEquals("57014", ((SQLException) e.getCause()).getSQLState());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20), "not run again after the cancel");
            assertEquals(Optional.of("a statement was cancelled (by an administrator, or statement_timeout) "
                + "(SQLSTATE 57014)"), Warehouse.stopped(e));
            tx.rollback();
        }
    }

    /**
     * A batch whose session the warehouse ends (an administrator's pg_terminate_backend) fails
     * with that reason first: the undo that follows, on a connection already gone, only adds its
     * own failure. It was thrown as the cause instead ("Connection is closed"), and the refresh
     * answered 500, "something unexpected failed", for an outage.
     */
    @Test
    void aBatchWhoseSessionEndsSaysWhy() throws Exception {
        Query<Integer> slow = new Query<>("select 1 from pg_sleep(30)", rs -> rs.getInt(1));
        Handle tx = database.jdbi().open();
        try {
            tx.begin();
            int pid = tx.createQuery("select pg_backend_pid()").mapTo(Integer.class).one();
            CompletableFuture<Boolean> end = CompletableFuture.supplyAsync(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (System.nanoTime() < deadline && !sleeping()) {
                        Thread.sleep(20);
                    }
                    return database.jdbi().withHandle(h -> h.createQuery("select pg_terminate_backend(:pid)")
                        .bind("pid", pid).mapTo(Boolean.class).one());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            WarehouseException e = assertThrows(WarehouseException.class, () -> CheckRows.ahead(tx, List.of(slow)));
            assertTrue(end.get(10, TimeUnit.SECONDS));
            assertEquals("57P01", ((SQLException) e.getCause()).getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("terminating connection due to administrator command"), e.getMessage());
            assertTrue(Warehouse.unreachable(e));
        } finally {
            // The session is gone: ending its transaction and closing it fail, and need not succeed.
            try {
                tx.rollback();
            } catch (RuntimeException gone) {
                // expected
            }
            try {
                tx.close();
            } catch (RuntimeException gone) {
                // expected
            }
        }
    }

    private static boolean sleeping() {
        return database.jdbi().withHandle(h -> h.createQuery(
                "select exists (select 1 from pg_stat_activity where query like '%pg_sleep(30)%' "
                    + "and state = 'active' and pid <> pg_backend_pid())")
            .mapTo(Boolean.class).one());
    }

    private static String probe(Handle tx) {
        return tx.createQuery("select current_setting('state_doses.probe', true)").mapTo(String.class).one();
    }
}
