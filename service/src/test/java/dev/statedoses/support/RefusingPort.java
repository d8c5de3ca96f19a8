package dev.statedoses.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses every connection for as long as this is open: a socket bound to
 * it that never listens. Closing a {@code ServerSocket} and using its port instead is a race: the
 * port is free again, so another listener (a test's server, an embedded PostgreSQL picking its
 * port the same way) may take it, and a connection to it is then answered. A bound socket keeps
 * the port: no one else can listen on it, and the kernel does not hand it out as a source port.
 */
public final class RefusingPort implements AutoCloseable {

    private final Socket socket;

    private RefusingPort(Socket socket) {
        this.socket = socket;
    }

    public static RefusingPort open() {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new RefusingPort(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
