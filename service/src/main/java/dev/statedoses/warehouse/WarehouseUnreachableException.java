package dev.statedoses.warehouse;

import dev.statedoses.text.Printable;
import java.sql.SQLException;

/**
 * The warehouse could not be connected to at start: nothing listens there, the database does not
 * exist, the login is refused. The command line says so in one line, naming where it looked, and
 * exits 1; it is not a refresh that failed, and there may be no product at all.
 */
public final class WarehouseUnreachableException extends WarehouseStartException {

    public WarehouseUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What the driver said, in one line: the message of the innermost SQL exception (the pool's
     * own only says it timed out), such as {@code FATAL: database "dwh" does not exist}.
     */
    public String reason() {
        return reason(getCause());
    }

    public static String reason(Throwable failure) {
        String said = null;
        Throwable last = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException && t.getMessage() != null) {
                said = t.getMessage();
            }
            last = t;
        }
        if (said == null) {
            said = last == null || last.getMessage() == null ? "no answer" : last.getMessage();
        }
        // Ends without a full stop: the caller's sentence goes on after it.
        return Printable.shorten(said.strip().replaceFirst("\\.+$", ""), 300);
    }
}
