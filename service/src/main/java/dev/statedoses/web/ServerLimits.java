package dev.statedoses.web;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * What keeps a client that does not read its answers from holding the server's threads. Javalin's
 * routes write an answer with a blocking write: when the client's socket is full, the thread
 * waits. Pipelined requests on a few hundred such sockets once took every thread for Jetty's
 * idle timeout (30 s), and nothing answered, the liveness probe neither. Two limits, for every
 * route:
 *
 * <ul>
 *   <li>{@code stalledWrite}: while a request is handled and its answer written (also after the
 *       handler returns, for the fast path's asynchronous writes), the connection's idle timeout
 *       is this: a write that makes no progress for that long fails, and the connection is
 *       closed, freeing the thread and the route slot (any write: an answer's last one too).
 *       Between requests the connector's idle timeout (30 s) still applies to keep-alive
 *       connections. Jetty 12's {@code HttpConfiguration}
 *       {@code minResponseDataRate} would bound a slow reader too, but Jetty 12 keeps the setting
 *       without enforcing it.</li>
 *   <li>{@code routeRequests}: at most this many requests are in Javalin's routes at once; more
 *       wait without a thread (Jetty's {@link QoSHandler}), for {@code routeWait} at most, then
 *       get a 503. The rest of the pool stays for what is answered in Jetty itself: the
 *       snapshot's fast path and {@code GET /health/live}.</li>
 * </ul>
 */
public record ServerLimits(int threads, int routeRequests, Duration stalledWrite, Duration routeWait) {

    /** Javalin's own pool size (250), three quarters of it for the routes, 5 s for a stalled write. */
    public static final ServerLimits DEFAULT = new ServerLimits(250, 190, Duration.ofSeconds(5), Duration.ofSeconds(10));

    public ServerLimits {
        if (threads < 8 || routeRequests < 1 || routeRequests > threads - 4) {
            throw new IllegalArgumentException("routes need at least one of at least 8 threads, and 4 left: "
                + routeRequests + " of " + threads);
        }
    }

    /** The server's thread pool, named as Javalin names its own. */
    public ThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(8, threads), 60_000);
        pool.setName("JettyServerThreadPool");
        return pool;
    }

    /** Wraps the server's handler (Javalin's routes) so that only {@code routeRequests} run at once. */
    public void limitRoutes(Server server) {
        QoSHandler routes = new QoSHandler();
        routes.setMaxRequestCount(routeRequests);
        routes.setMaxSuspend(routeWait);
        server.insertHandler(routes);
    }

    /** A handler that bounds how long a write may stall while a request is answered. */
    public Handler.Wrapper boundStalledWrites() {
        return new StalledWrites(stalledWrite.toMillis());
    }

    /**
     * Sets the connection's idle timeout to {@code millis} from the start of a request until its
     * answer is written (the callback completes), then puts the connector's back. Jetty's own
     * IdleTimeoutHandler would do this, but in Jetty 12.1 it is an empty shell. An idle timeout
     * fails only a read or write that waits: a handler that works longer (a refresh) is not cut.
     *
     * <p>A write that failed ends the exchange as failed, whatever the handler reports after it:
     * only then does Jetty close the connection. A Javalin route reports success even when the
     * write that completes its declared Content-Length failed (Jetty's servlet output forgets that
     * failure, and Javalin does not rethrow it). Jetty then waited for a last write that never
     * completes: the connection stayed open, its request holding a route slot, until the
     * connector's idle timeout (30 s). So it went for every answer of one write (up to the 32 KB
     * output buffer) with a declared length, wherever the client's socket filled, and for a larger
     * one whose end met the full socket.
     */
    private static final class StalledWrites extends Handler.Wrapper {

        private final long millis;

        StalledWrites(long millis) {
            this.millis = millis;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            long before = endPoint.getIdleTimeout();
            boolean bound = before > millis;
            Runnable restore = () -> {
                if (bound) {
                    endPoint.setIdleTimeout(before);
                }
            };
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Response watched = new Response.Wrapper(request, response) {
                @Override
                public void write(boolean last, ByteBuffer content, Callback written) {
                    super.write(last, content, new Callback.Nested(written) {
                        @Override
                        public void failed(Throwable x) {
                            writeFailure.compareAndSet(null, x);
                            super.failed(x);
                        }
                    });
                }
            };
            // Put back before Jetty hears the answer is done: it may start the next pipelined request then.
            Callback restoring = new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    Throwable failure = writeFailure.get();
                    if (failure != null) {
                        failed(failure);
                        return;
                    }
                    restore.run();
                    super.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    restore.run();
                    super.failed(x);
                }
            };
            if (bound) {
                endPoint.setIdleTimeout(millis);
            }
            boolean handled;
            try {
                handled = super.handle(request, watched, restoring);
            } catch (Throwable e) {
                restore.run();
                throw e;
            }
            if (!handled) {
                restore.run();
            }
            return handled;
        }
    }
}
