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
 *       closed, freeing the thread. Between requests the connector's idle timeout (30 s) still
 *       applies to keep-alive connections. Jetty 12's {@code HttpConfiguration}
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
            if (before <= 0 || before <= millis) {
                return super.handle(request, response, callback);
            }
            endPoint.setIdleTimeout(millis);
            // A write the timeout failed must end the connection. Mostly it does, but when the
            // last write of an answer stalled (the socket's buffers full to within its last few
            // hundred bytes), the servlet layer still reported the answer done: its last bytes
            // unsent, the connection kept open for the connector's 30 s, and a next pipelined
            // answer never begun. So every write's outcome is watched, and an answer with a failed
            // write is a failed one, which Jetty ends with its connection.
            AtomicReference<Throwable> writeFailed = new AtomicReference<>();
            Response watched = new Response.Wrapper(request, response) {
                @Override
                public void write(boolean last, ByteBuffer content, Callback written) {
                    super.write(last, content, new Callback.Nested(written) {
                        @Override
                        public void failed(Throwable x) {
                            writeFailed.compareAndSet(null, x);
                            super.failed(x);
                        }
                    });
                }
            };
            // Put back before Jetty hears the answer is done: it may start the next pipelined request then.
            Callback restoring = new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    endPoint.setIdleTimeout(before);
                    Throwable failedWrite = writeFailed.get();
                    if (failedWrite != null) {
                        super.failed(failedWrite);
                        return;
                    }
                    super.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    endPoint.setIdleTimeout(before);
                    super.failed(x);
                }
            };
            boolean handled;
            try {
                handled = super.handle(request, watched, restoring);
            } catch (Throwable e) {
                endPoint.setIdleTimeout(before);
                throw e;
            }
            if (!handled) {
                endPoint.setIdleTimeout(before);
            }
            return handled;
        }
    }
}
