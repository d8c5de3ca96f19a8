package dev.statedoses.source;

/** A source stream was stopped on purpose while it was read (the service is shutting down). */
public final class SourceAbandonedException extends RuntimeException {
    public SourceAbandonedException(String reason) {
        super(reason);
    }
}
