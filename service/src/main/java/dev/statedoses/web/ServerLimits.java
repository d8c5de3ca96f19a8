package dev.statedoses.web;

import dev.statedoses.util.OpenFiles;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnectionLimit;
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
 *   <li>{@code stalledWrite}: while a write of an answer waits (also after the handler returns,
 *       for the fast path's asynchronous writes), the connection's idle timeout is this: a write
 *       that makes no progress for that long fails, and the connection is closed, freeing the
 *       thread and the route slot (any write: an answer's last one too). Otherwise, between
 *       requests too, the connector's idle timeout (30 s) applies. Jetty 12's {@code HttpConfiguration}
 *       {@code minResponseDataRate} would bound a slow reader too, but Jetty 12 keeps the setting
 *       without enforcing it.</li>
 *   <li>{@code routeRequests}: at most this many requests are in Javalin's routes at once; more
 *       wait without a thread (Jetty's {@link QoSHandler}), for {@code routeWait} at most, then
 *       get a 503. The rest of the pool stays for what is answered in Jetty itself: the
 *       snapshot's fast path and {@code GET /health/live}.</li>
 * </ul>
 *
 * <p>And two for clients that send slowly, or not at all, which hold no thread but a descriptor:
 *
 * <ul>
 *   <li>{@code headDeadline}: a request's head must arrive within this of its first byte (of the
 *       opening, for a connection's first request), or the connection is closed
 *       ({@link HeadDeadline}: each byte renews Jetty's idle timeout); a fifth of it while the
 *       connections are near their limit.</li>
 *   <li>{@code connections}: at most this many connections at once; more wait in the kernel's
 *       queue until one closes. Below the process's descriptor limit, so that the connections the
 *       service makes itself (the warehouse's pool, the sources, its listener) always find one.</li>
 * </ul>
 */
public record ServerLimits(int threads, int routeRequests, Duration stalledWrite, Duration routeWait,
                           Duration headDeadline, int connections) {

    /**
     * Descriptors kept for the process's own use, whatever the clients do: the warehouse's pool
     * (8) and its listener, the three sources, the JDK's jars and selectors, the log, the embedded
     * warehouse's pipes. About 20 were open in a service running here on an external warehouse
     * with file: sources; 128 leaves room for the rest and for a refresh's sockets.
     */
    static final int RESERVED_DESCRIPTORS = 128;
    /** More connections than a dashboard's users ever open; each costs memory, not a thread. */
    static final int MAX_CONNECTIONS = 10_000;

    /**
     * Javalin's own pool size (250), three quarters of it for the routes, 5 s for a stalled write,
     * 10 s for a request's head, as many connections as the descriptor limit leaves.
     */
    public static final ServerLimits DEFAULT = new ServerLimits(250, 190, Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(10), connectionsFor(OpenFiles.limit().orElse(MAX_CONNECTIONS + RESERVED_DESCRIPTORS)));

    public ServerLimits {
        if (threads < 8 || routeRequests < 1 || routeRequests > threads - 4) {
            throw new IllegalArgumentException("routes need at least one of at least 8 threads, and 4 left: "
                + routeRequests + " of " + threads);
        }
        if (connections < 1 || headDeadline.isNegative() || headDeadline.isZero()) {
            throw new IllegalArgumentException("a connection and a deadline for a request's head: "
                + connections + ", " + headDeadline);
        }
    }

    /** These threads, with the default deadline for a request's head and limit on connections. */
    public ServerLimits(int threads, int routeRequests, Duration stalledWrite, Duration routeWait) {
        this(threads, routeRequests, stalledWrite, routeWait, DEFAULT.headDeadline(), DEFAULT.connections());
    }

    /** How many connections a process allowed {@code openFiles} descriptors may take, at least 16. */
    static int connectionsFor(long openFiles) {
        return (int) Math.max(16, Math.min(MAX_CONNECTIONS, openFiles - RESERVED_DESCRIPTORS));
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

    /**
     * Bounds the server's connections and the time a request's head may take (see above). Javalin
     * adds its connector after this runs and before the server starts; both find it at the start.
     */
    public void limitConnections(Server server) {
        server.addBean(new NetworkConnectionLimit(connections, server));
        server.addBean(new HeadDeadline(server, headDeadline, connections));
    }

    /** A handler that bounds how long a write may stall while a request is answered. */
    public Handler.Wrapper boundStalledWrites() {
        return new StalledWrites(stalledWrite.toMillis());
    }

    /**
     * Sets the connection's idle timeout to {@code millis} while a write of an answer waits, then
     * puts the connector's back. Jetty's own IdleTimeoutHandler would do this, but in Jetty 12.1
     * it is an empty shell. An idle timeout fails only a read or write that waits: a handler that
     * works longer (a refresh) is not cut.
     *
     * <p>Only a write that waits pays for it. Setting a shorter idle timeout schedules Jetty's
     * idle check anew, which wakes its scheduler thread; done for every request, as it was, that
     * cost the fast path about a seventh of its requests per second (bench/reads.sh, side by side
     * with the handler left out). A write that completes before {@code write} returns, as nearly
     * every answer's does while the client reads, leaves the timeout alone; one that is still
     * pending then has the short timeout set until it completes or fails.
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
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Response watched = new Response.Wrapper(request, response) {
                @Override
                public void write(boolean last, ByteBuffer content, Callback written) {
                    Write write = new Write(endPoint, millis, written, writeFailure);
                    super.write(last, content, write);
                    write.returned();
                }
            };
            Callback failingOnAFailedWrite = new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    Throwable failure = writeFailure.get();
                    if (failure != null) {
                        failed(failure);
                        return;
                    }
                    super.succeeded();
                }
            };
            return super.handle(request, watched, failingOnAFailedWrite);
        }
    }

    /**
     * One write of an answer: if it is still pending when {@code write} returns, the connection's
     * idle timeout is {@code millis} until it completes. The two may race (the write completes on
     * another thread), hence the lock: the timeout is put back only if it was set, and never set
     * once the write is done.
     */
    private static final class Write extends Callback.Nested {

        private final EndPoint endPoint;
        private final long millis;
        private final AtomicReference<Throwable> writeFailure;
        private boolean done;
        private long before = -1;

        Write(EndPoint endPoint, long millis, Callback written, AtomicReference<Throwable> writeFailure) {
            super(written);
            this.endPoint = endPoint;
            this.millis = millis;
            this.writeFailure = writeFailure;
        }

        /** {@code write} returned: a write still pending waits under the short timeout. */
        synchronized void returned() {
            long current = endPoint.getIdleTimeout();
            if (!done && current > millis) {
                before = current;
                endPoint.setIdleTimeout(millis);
            }
        }

        /** Put back before the writer hears the write is done: it may answer the next pipelined request then. */
        private synchronized void finish() {
            done = true;
            if (before >= 0) {
                endPoint.setIdleTimeout(before);
                before = -1;
            }
        }

        @Override
        public void succeeded() {
            finish();
            super.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            writeFailure.compareAndSet(null, x);
            finish();
            super.failed(x);
        }
    }
}
