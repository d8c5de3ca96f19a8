package dev.statedoses.warehouse;

import dev.statedoses.util.DaemonThreads;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL NOTIFY channel on a connection of its own (outside the pool: it is held
 * for good) and runs {@code onEvent} with each notification's payload, and with null once after every (re)connect,
 * since notifications sent while it was away are lost. Reconnects by itself after an outage.
 */
final class ChannelListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelListener.class);
    private static final int POLL_MILLIS = 500;

    private final String jdbcUrl;
    private final Properties credentials;
    private final String channel;
    private final Consumer<String> onEvent;
    private final Thread thread;
    private volatile boolean closed;

    ChannelListener(String jdbcUrl, Properties credentials, String channel, Consumer<String> onEvent) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.channel = channel;
        this.onEvent = onEvent;
        this.thread = DaemonThreads.named("listen-" + channel).newThread(this::run);
        this.thread.start();
    }

    private void run() {
        boolean wasDown = false;
        while (!closed) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials);
                 Statement statement = connection.createStatement()) {
                statement.execute(Warehouse.SESSION_SETUP); // no idle_session_timeout between notifications
                statement.execute("listen " + channel);
                if (wasDown) {
                    LOG.info("listening on {} again", channel);
                }
                wasDown = false;
                handle(null);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (!closed) {
                    // Blocks up to POLL_MILLIS; throws when the connection is gone.
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        // Only the newest matters: each one announces a whole new product.
                        handle(notifications[notifications.length - 1].getParameter());
                    }
                }
            } catch (SQLException | RuntimeException | Error e) {
                // Anything, an Error too (the heap ran out): the thread must not end, or no
                // other instance's product would reach this one again.
                if (!closed && !wasDown) {
                    LOG.warn("lost the {} channel ({}); reconnecting", channel, e.getMessage());
                }
                wasDown = true;
                pause();
            }
        }
    }

    private void handle(String payload) {
        try {
            onEvent.accept(payload);
        } catch (RuntimeException | Error e) {
            // While the warehouse closes, a reload may find the pool gone: that is no failure.
            if (!closed) {
                LOG.warn("handling a notification on {} failed: {}", channel, e.getMessage());
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops listening, and waits (briefly) for a notification being handled, before the pool closes. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
