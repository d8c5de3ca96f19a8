package dev.statedoses.warehouse;

import java.sql.SQLException;

/** A warehouse statement failed; unchecked so it can cross the CSV readers' callbacks. */
public final class WarehouseException extends RuntimeException {
    public WarehouseException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
