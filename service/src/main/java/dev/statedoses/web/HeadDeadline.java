package dev.statedoses.web;

import dev.statedoses.util.DaemonThreads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request head takes longer than {@code deadline} to arrive. Jetty's
 * idle timeout cannot do it: each byte renews it, so a client that sends a byte a second holds
 * its connection, and its descriptor, for as long as it likes; a few hundred of them took every
 * descriptor of a process under {@code ulimit -n 256}, and nothing was answered until they left.
 * Jetty 12.1 has no minimum data rate for a request either.
 *
 * <p>The deadline runs from the opening for a connection's first request, and from the first
 * byte of the next one for a connection kept alive: an idle connection between requests keeps the
 * connector's idle timeout (30 s), and a client that sends its head in one packet never meets the
 * deadline. A request being handled (a head read, its answer not yet done) is not this class's
 * business: ServerLimits bounds a stalled write, and a long handler is never cut.
 *
 * <p>While the server holds nearly as many connections as it allows (nine tenths of the limit), a
 * head gets a fifth of the deadline: a client waiting in the kernel's queue for a connection (a
 * probe, a refresh) waits for slow clients' shorter deadline, not their longer one. An ordinary
 * client sends its head in one packet, in a millisecond, and never meets either. And a connection
 * kept alive is closed once it has been idle between requests for that fifth: clients that asked
 * once and kept their connections open took every one the server allows, and asking again every
 * 25 s kept the connector's idle timeout from ever closing them, so nothing was answered (the
 * liveness probe neither) for as long as they stayed. A client of the dashboard that finds its
 * idle connection closed opens another.
 *
 * <p>It reads what Jetty counts per connection (requests whose head was read, answers done, bytes
 * in) once per tick, a quarter of the shorter deadline up to a second: a connection is closed
 * within a tick of its deadline, and costs three reads a tick, nothing per request.
 */
final class HeadDeadline extends AbstractLifeCycle implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(HeadDeadline.class);
    private static final long LOG_EVERY = TimeUnit.SECONDS.toNanos(10);

    private final Server server;
    private final Duration deadline;
    private final Duration crowdedDeadline;
    private final int connections;
    private final int crowded;
    private final Map<Connection, Watch> open = new ConcurrentHashMap<>();
    private ScheduledExecutorService ticks;
    /** Closed since the last log line, which is written at most every LOG_EVERY: an attack is not a flood of lines. */
    private int unlogged;
    /** Kept-alive connections closed idle near the limit since the last log line. */
    private int idleClosed;
    private long logged = System.nanoTime() - LOG_EVERY;

    /** {@code connections}: how many the server allows at once. */
    HeadDeadline(Server server, Duration deadline, int connections) {
        this.server = server;
        this.deadline = deadline;
        this.crowdedDeadline = deadline.dividedBy(5);
        this.connections = connections;
        this.crowded = Math.max(1, connections * 9 / 10);
    }

    /** The connectors are the server's by now: Javalin sets its own before it starts the server. */
    @Override
    protected void doStart() {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof NetworkConnector) {
                connector.addEventListener(this);
            }
        }
        long tick = Math.max(10, Math.min(1_000, crowdedDeadline.toMillis() / 4));
        ticks = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("request-head-deadline"));
        ticks.scheduleWithFixedDelay(this::closeOverdue, tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        ticks.shutdownNow();
        for (Connector connector : server.getConnectors()) {
            connector.removeEventListener(this);
        }
        open.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, Watch.opened(System.nanoTime()));
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    private void closeOverdue() {
        try {
            long now = System.nanoTime();
            boolean isCrowded = open.size() >= crowded;
            Duration due = isCrowded ? crowdedDeadline : deadline;
            int closed = 0;
            for (Map.Entry<Connection, Watch> entry : open.entrySet()) {
                Connection connection = entry.getKey();
                Watch watch = entry.getValue().seen(connection.getMessagesIn(), connection.getMessagesOut(),
                    connection.getBytesIn(), now);
                if (watch.overdue(now, due.toNanos())) {
                    open.remove(connection);
                    connection.getEndPoint().close(new TimeoutException(
                        "request head not received within " + due.toMillis() + " ms"));
                    closed++;
                } else if (isCrowded && watch.idle(now, crowdedDeadline.toNanos())) {
                    open.remove(connection);
                    connection.getEndPoint().close(new TimeoutException("idle between requests for "
                        + crowdedDeadline.toMillis() + " ms while the server is near its limit of connections"));
                    idleClosed++;
                } else {
                    open.replace(connection, entry.getValue(), watch);
                }
            }
            unlogged += closed;
            if ((unlogged > 0 || idleClosed > 0) && now - logged >= LOG_EVERY) {
                if (unlogged > 0) {
                    LOG.info("closed {} connection(s) whose request head did not arrive within {} ms{}", unlogged,
                        deadline.toMillis(), due == deadline ? "" : ", " + due.toMillis()
                            + " ms now that the server is near its limit of " + connections + " connections");
                }
                if (idleClosed > 0) {
                    LOG.info("closed {} kept-alive connection(s) idle between requests for {} ms while the server was "
                        + "near its limit of {} connections", idleClosed, crowdedDeadline.toMillis(), connections);
                }
                unlogged = 0;
                idleClosed = 0;
                logged = now;
            }
        } catch (RuntimeException | Error e) {
            // The next tick tries again: an end to this task would leave every client uncut.
            LOG.warn("could not check the connections' request heads; trying again at the next tick", e);
        }
    }

    /**
     * One connection as last seen: how many request heads it had sent and answers it had been
     * given, its bytes in, and since when it has been waiting for the next head ({@code started}:
     * whether that head has begun to arrive).
     */
    record Watch(long heads, long answers, long bytes, long since, boolean started) {

        /** A new connection: its first head is due from the opening. */
        static Watch opened(long now) {
            return new Watch(0, 0, 0, now, true);
        }

        /** As seen at {@code now}. */
        Watch seen(long heads, long answers, long bytes, long now) {
            if (heads != this.heads || answers != this.answers) {
                return new Watch(heads, answers, bytes, now, false); // a head read, or an answer done
            }
            if (!started && bytes > this.bytes) {
                return new Watch(heads, answers, bytes, now, true); // the next head has begun
            }
            return this;
        }

        /**
         * Kept alive, idle between requests for more than {@code idle}: its last answer done, no
         * byte of the next head yet (a first request is due from the opening: {@link #overdue}).
         */
        boolean idle(long now, long idle) {
            return heads == answers && heads > 0 && !started && now - since > idle;
        }

        /** Waiting for a head that began more than {@code deadline} ago (none being answered). */
        boolean overdue(long now, long deadline) {
            return heads == answers && started && now - since > deadline;
        }
    }
}
