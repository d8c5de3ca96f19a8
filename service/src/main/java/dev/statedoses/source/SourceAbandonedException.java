package dev.statedoses.source;

/** A source stream was stopped on purpose while it was read (the service is shutting down). */
public final class SourceAbandonedException extends RuntimeException {

    /** Why a refresh stopped by the service's shutdown ended, as its caller and the run log say it. */
    public static final String SHUTTING_DOWN = "the service is shutting down; the refresh was rolled back";

    public SourceAbandonedException(String reason) {
        super(reason);
    }

    /** A source stopped because the service is shutting down. */
    public static SourceAbandonedException shuttingDown() {
        return new SourceAbandonedException(SHUTTING_DOWN);
    }
}
