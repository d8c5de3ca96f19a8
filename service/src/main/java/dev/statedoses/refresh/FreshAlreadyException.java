package dev.statedoses.refresh;

/**
 * A scheduled refresh found, once it held the refresh lock, that a refresh has succeeded since
 * its instant: another instance's refresh of the same instant, or a POST /refresh, that ended
 * between the claim and the lock. Nothing to do; no run is recorded.
 */
public final class FreshAlreadyException extends RuntimeException {
    public FreshAlreadyException() {
        super("a refresh has succeeded since the scheduled instant");
    }
}
