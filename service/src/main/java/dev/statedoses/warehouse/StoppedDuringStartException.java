package dev.statedoses.warehouse;

/**
 * The start stopped between two of its steps because the JVM began to exit (a SIGTERM or Ctrl-C):
 * no failure of the warehouse or of the service, and nothing to report but that (StartSteps).
 */
public final class StoppedDuringStartException extends RuntimeException {

    public StoppedDuringStartException() {
        super("this process was asked to end (SIGTERM or Ctrl-C) while it started", null, false, false);
    }
}
