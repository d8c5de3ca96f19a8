package dev.statedoses.web;

/**
 * The client went away while its answer was being written (it closed the connection, or it did
 * not read within the idle timeout): nothing to answer, and no fault of the service's. A route
 * that writes its body itself (the weekly answers, written as they are sent) throws this where
 * Jetty, writing a body it was handed, said nothing; the app logs it at DEBUG only, since any
 * client could otherwise fill the log with errors by hanging up.
 */
public final class ClientGoneException extends RuntimeException {

    public ClientGoneException(Throwable cause) {
        super("the client went away while its answer was written (" + cause.getMessage() + ")", cause);
    }
}
