package dev.statedoses.warehouse;

/**
 * A start had a change to make to the warehouse (move the migration history, apply a migration),
 * and the lock that keeps two instances from making it together stayed held by another session
 * past the wait; or its first read of the product waited past its bound behind a lock another
 * session holds on the product (ProductCache.loadAtStart). The message names that session and
 * says what to do; the command line prints it in one line and exits 1. A start with nothing to
 * change takes no change lock, and only an owner's lock on the product can hold its read.
 */
public final class WarehouseLockedException extends WarehouseStartException {

    public WarehouseLockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
