package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which failures are the warehouse's condition rather than a fault of the request or of the
 * service: out of reach ({@link Warehouse#unreachable}), or stopping the work for a reason of its
 * own ({@link Warehouse#stopped}), wherever the SQLSTATE sits: the failure itself, a cause of a
 * cause, or suppressed under a later failure (a rollback on a connection already gone).
 */
class WarehouseFailuresTest {

    private static final Map<String, String> STOPPED = Map.ofEntries(
        Map.entry("57014", "a statement was cancelled (by an administrator, or statement_timeout)"),
        Map.entry("55P03", "a lock was not granted in time (lock_timeout)"),
        Map.entry("40P01", "a deadlock with another session"),
        Map.entry("40001", "a conflict with another session's transaction (serialization failure)"),
        Map.entry("25006", "the warehouse takes no writes (a standby, or default_transaction_read_only)"),
        Map.entry("25P03", "the session stayed in a transaction longer than idle_in_transaction_session_timeout"),
        Map.entry("53100", "the warehouse's disk is full"),
        Map.entry("53200", "the warehouse is out of memory"),
        Map.entry("53300", "the warehouse has too many connections"),
        Map.entry("53400", "the warehouse lacks a resource"),
        Map.entry("58030", "the warehouse had a system error (input/output)"));

    /** The failure with {@code state} alone, as a cause, as a cause's cause, and suppressed by a later one. */
    private static List<Throwable> placed(String state) {
        SQLException sql = new SQLException("the server said so", state);
        SQLException closed = new SQLException("Connection is closed");
        closed.addSuppressed(new SQLException("the server said so", state));
        return List.of(sql,
            new WarehouseException("checking the sources failed", sql),
            new IllegalStateException("wrapped", new WarehouseException("building the product failed", sql)),
            new WarehouseException("checking the sources failed", closed));
    }

    @Test
    void aStatementTheWarehouseStoppedIsNamedWhereverItSits() {
        STOPPED.forEach((state, why) -> {
            for (Throwable failure : placed(state)) {
                assertEquals(Optional.of(why + " (SQLSTATE " + state + ")"), Warehouse.stopped(failure),
                    state + " in " + failure);
                assertFalse(Warehouse.unreachable(failure), state + " in " + failure);
            }
        });
    }

    @Test
    void aSessionEndedOrAServerAwayIsOutOfReachWhereverItSits() {
        for (String state : List.of("57P01", "57P02", "57P03", "08006", "08001", "08003")) {
            for (Throwable failure : placed(state)) {
                assertTrue(Warehouse.unreachable(failure), state + " in " + failure);
                assertEquals(Optional.empty(), Warehouse.stopped(failure), state + " in " + failure);
            }
        }
    }

    /** A fault of the query or of the data (or no state at all) is neither: an internal error. */
    @Test
    void otherFailuresAreNeither() {
        for (String state : java.util.Arrays.asList("23505", "42P01", "22012", "XX000", "57000", null)) {
            for (Throwable failure : placed(state)) {
                assertFalse(Warehouse.unreachable(failure), state + " in " + failure);
                assertEquals(Optional.empty(), Warehouse.stopped(failure), state + " in " + failure);
            }
        }
        assertEquals(Optional.empty(), Warehouse.stopped(new IllegalStateException("no SQL at all")));
    }

    /** A failure that suppresses its own cause (a cycle) is walked once. */
    @Test
    void aCycleOfFailuresEnds() {
        SQLException first = new SQLException("first", "22012");
        SQLException second = new SQLException("second", "55P03", first);
        first.addSuppressed(second);
        assertEquals(Optional.of("a lock was not granted in time (lock_timeout) (SQLSTATE 55P03)"),
            Warehouse.stopped(first));
    }
}
