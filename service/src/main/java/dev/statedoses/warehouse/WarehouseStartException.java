package dev.statedoses.warehouse;

/**
 * Why a start could not use the warehouse: out of reach, a lock held past the wait, or a
 * warehouse it cannot work in. Each says so in its message, in one line for the operator; the
 * command line prints it and exits 1 (refresh --json as a 503). No refresh began.
 */
public abstract class WarehouseStartException extends RuntimeException {

    protected WarehouseStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
