package dev.statedoses.warehouse;

/**
 * The warehouse answered at start, but the service cannot work in it: its database is not encoded
 * in UTF-8, or bringing its schema up to date failed there (a read-only server, a privilege
 * missing, the session ended). The message says what and, where it can, what to do; the command
 * line prints it in one line and exits 1, as for a warehouse it cannot reach. It is not a refresh
 * that failed: none began.
 */
public final class WarehouseNotReadyException extends WarehouseStartException {

    public WarehouseNotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
