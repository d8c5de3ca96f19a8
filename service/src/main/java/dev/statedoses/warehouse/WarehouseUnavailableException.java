package dev.statedoses.warehouse;

/** The warehouse did not answer: the caller should try again later (HTTP 503). */
public final class WarehouseUnavailableException extends RuntimeException {
    public WarehouseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
