package dev.statedoses.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that is not PostgreSQL, for a DB_PORT that names the wrong service: one that
 * speaks first (MySQL, NATS), one that answers what it cannot read (RabbitMQ), one that waits for
 * a line that never comes (Redis, a web server), one that drops or resets the connection (an MQTT
 * broker). Every connection is served on a thread of its own, as long as the client keeps it.
 */
public final class ForeignServer implements AutoCloseable {

    /** What one connection gets. */
    @FunctionalInterface
    public interface Manner {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final Manner manner;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ForeignServer(ServerSocket server, Manner manner) {
        this.server = server;
        this.manner = manner;
        Thread acceptor = new Thread(this::accept, "foreign-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ForeignServer start(Manner manner) {
        try {
            return new ForeignServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), manner);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many connections it has taken. */
    public int connections() {
        return connections.get();
    }

    /** Sends {@code greeting} as soon as a client connects, then reads until the client goes. */
    public static Manner greets(byte[] greeting) {
        return socket -> {
            socket.getOutputStream().write(greeting);
            socket.getOutputStream().flush();
            drain(socket.getInputStream());
        };
    }

    /** Reads the client's first {@code length} bytes, answers {@code answer} in one write, and reads on. */
    public static Manner answers(int length, byte[] answer) {
        return socket -> {
            socket.getInputStream().readNBytes(length);
            socket.getOutputStream().write(answer);
            socket.getOutputStream().flush();
            drain(socket.getInputStream());
        };
    }

    /** Reads whatever comes and never says a word. */
    public static Manner silent() {
        return socket -> drain(socket.getInputStream());
    }

    /** Reads the client's first {@code length} bytes and closes the connection: the client reads its end. */
    public static Manner drops(int length) {
        return socket -> {
            socket.getInputStream().readNBytes(length);
            socket.close();
        };
    }

    /** Reads the client's first {@code length} bytes and resets the connection (TCP RST). */
    public static Manner resets(int length) {
        return socket -> {
            socket.getInputStream().readNBytes(length);
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[512];
        while (in.read(buffer) >= 0) {
            // what the client says is not read: this server does not speak its language
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            open.add(socket);
            Thread served = new Thread(() -> {
                try (socket) {
                    manner.serve(socket);
                } catch (IOException e) {
                    // the client went away, or this server closed
                } finally {
                    open.remove(socket);
                }
            }, "foreign-server-connection");
            served.setDaemon(true);
            served.start();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
