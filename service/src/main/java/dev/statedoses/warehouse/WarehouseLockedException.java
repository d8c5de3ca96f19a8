package dev.statedoses.warehouse;

/**
 * A start had a change to make to the warehouse (move the migration history, apply a migration),
 * and the lock that keeps two instances from making it together stayed held by another session
 * past the wait. The message names that session and says what to do; the command line prints it
 * in one line and exits 1. A start with nothing to change takes no such lock and never fails so.
 */
public final class WarehouseLockedException extends WarehouseStartException {

    public WarehouseLockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
