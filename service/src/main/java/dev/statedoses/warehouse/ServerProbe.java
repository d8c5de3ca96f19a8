package dev.statedoses.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.postgresql.util.PSQLException;

/**
 * What answers at a warehouse's host and port when the driver got no session there. A DB_PORT
 * that named another server (Redis, MariaDB, a message broker, a web server) made the start say
 * only the pool's timeout or "the connection attempt failed": true, and no help. So the
 * service asks once more, as PostgreSQL's own clients begin: an SSLRequest, which every
 * PostgreSQL server answers at once with one byte, {@code S} or {@code N}, whatever its TLS
 * settings, before it reads anything else. Any other answer, none, or a closed connection, is
 * said in words, with the first bytes the server sent.
 */
public final class ServerProbe {

    /** PostgreSQL's SSLRequest: its length, 8, and the code 80877103 (1234 in the high half, 5679 in the low). */
    private static final byte[] SSL_REQUEST = {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f};

    /** How many of the server's first bytes are quoted: enough for a greeting's name and version. */
    static final int QUOTED = 60;

    /** How long the server has to answer: PostgreSQL answers the SSLRequest before it reads anything else. */
    static final Duration WAIT = Duration.ofSeconds(1);

    private ServerProbe() {
    }

    /**
     * What to add to the driver's reason for {@code failure} to connect to {@code host:port}: why
     * the server there is not PostgreSQL, when the driver heard no PostgreSQL message from it (a
     * server's own refusal, such as a database that does not exist or a wrong password, proves
     * it is PostgreSQL: nothing is asked then).
     */
    public static Optional<String> explain(Throwable failure, String host, int port) {
        boolean spokePostgres = Warehouse.failures(failure)
            .anyMatch(t -> t instanceof PSQLException psql && psql.getServerErrorMessage() != null);
        return spokePostgres ? Optional.empty() : notPostgres(host, port, WAIT);
    }

    /**
     * Why {@code host:port} is not a PostgreSQL server, if it answered as none does; empty when it
     * answered as PostgreSQL does or could not be reached at all (the driver's own reason then
     * says it better: refused, unknown host, no route).
     */
    static Optional<String> notPostgres(String host, int port, Duration wait) {
        String where = host + ":" + port;
        Reply reply = ask(host, port, wait);
        return switch (reply.outcome()) {
            case UNREACHED, CONNECT_TIMED_OUT, POSTGRES -> Optional.empty();
            case SILENT -> Optional.of("the server at " + where + " took the connection and said nothing within "
                + reply.millis() + " ms to PostgreSQL's first message, which PostgreSQL answers at once: "
                + "it is not PostgreSQL, or not only");
            case DROPPED -> Optional.of("the server at " + where + " took the connection and dropped it at "
                + "PostgreSQL's first message: it does not speak PostgreSQL's protocol");
            case OTHER -> Optional.of("something other than PostgreSQL answers at " + where + ": to PostgreSQL's first "
                + "message it said " + reply.quoted());
        };
    }

    /** What {@link #ask} found at a host and port. */
    enum Outcome {
        /** Refused, no route, unknown host: nothing listens there. */
        UNREACHED,
        /** The connection was not taken in time: something holds the port, its queue full. */
        CONNECT_TIMED_OUT,
        /** Took the connection and said nothing to the SSLRequest in time. */
        SILENT,
        /** Took the connection and closed or reset it at the SSLRequest. */
        DROPPED,
        /** Answered the SSLRequest as PostgreSQL does: one byte, S or N. */
        POSTGRES,
        /** Answered something else ({@link Reply#quoted}). */
        OTHER
    }

    /** The outcome, the wait it had in milliseconds, and the first bytes the server sent. */
    record Reply(Outcome outcome, int millis, byte[] answer, int length) {
        String quoted() {
            return quote(answer, length);
        }
    }

    /**
     * PostgreSQL's first message sent to {@code host:port}, each step waiting {@code wait} at most:
     * what came back. Written once for the two who ask, an external warehouse that refused the
     * driver ({@link #explain}) and the port the embedded warehouse is to take.
     */
    static Reply ask(String host, int port, Duration wait) {
        int millis = (int) Math.max(1, wait.toMillis());
        byte[] answer = new byte[QUOTED + 1];
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(host, port), millis);
            } catch (SocketTimeoutException e) {
                return new Reply(Outcome.CONNECT_TIMED_OUT, millis, answer, 0);
            } catch (IOException e) {
                return new Reply(Outcome.UNREACHED, millis, answer, 0);
            }
            int n;
            try {
                socket.setSoTimeout(millis);
                socket.getOutputStream().write(SSL_REQUEST);
                socket.getOutputStream().flush();
                n = socket.getInputStream().read(answer);
            } catch (SocketTimeoutException e) {
                return new Reply(Outcome.SILENT, millis, answer, 0);
            } catch (IOException e) {
                // A broker that drops what it cannot read resets the connection rather than closing it.
                n = -1;
            }
            if (n < 0) {
                return new Reply(Outcome.DROPPED, millis, answer, 0);
            }
            // A greeting may come in more than one packet: take what follows at once, for the quote.
            n += more(socket, socket.getInputStream(), answer, n);
            boolean postgres = n == 1 && (answer[0] == 'S' || answer[0] == 'N');
            return new Reply(postgres ? Outcome.POSTGRES : Outcome.OTHER, millis, answer, n);
        } catch (IOException e) {
            // Closing the socket failed: nothing to add, as for a port not reached.
            return new Reply(Outcome.UNREACHED, millis, answer, 0);
        }
    }

    private static int more(Socket socket, InputStream in, byte[] into, int from) throws IOException {
        int read = 0;
        socket.setSoTimeout(50);
        try {
            while (from + read < into.length) {
                int n = in.read(into, from + read, into.length - from - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (IOException e) {
            // Nothing more came, or the server reset the connection after its answer: the quote is what came.
        }
        return read;
    }

    /**
     * The first {@link #QUOTED} of {@code n} bytes in double quotes: printable ASCII as it is,
     * any other byte as {@code \xNN}, and "…" when more came.
     */
    static String quote(byte[] bytes, int n) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < Math.min(n, QUOTED); i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format(Locale.ROOT, "\\x%02x", b));
            }
        }
        return out.append(n > QUOTED ? "…\"" : "\"").toString();
    }
}
