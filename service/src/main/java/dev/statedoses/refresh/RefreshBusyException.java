package dev.statedoses.refresh;

/** Another refresh holds the warehouse's refresh lock (in this process or another one). */
public final class RefreshBusyException extends RuntimeException {
    public RefreshBusyException() {
        super("another refresh is running; try again when it has finished");
    }
}
