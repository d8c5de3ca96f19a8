package dev.statedoses.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Clients that send a request slowly, or open a connection and send nothing, hold no descriptor
 * for long. Each byte renews Jetty's idle timeout, so a client sending a byte a second once held
 * its connection as long as it liked: 300 of them took every descriptor of a process under
 * {@code ulimit -n 256}, and the service answered nothing until they left.
 *
 * <p>The real service with a 1 s deadline for a request's head (10 s in service), over raw sockets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final ServerLimits LIMITS = new ServerLimits(40, 20, Duration.ofSeconds(2), Duration.ofSeconds(10),
        DEADLINE, 1_000);
    /** The earliest a connection may be cut, after its deadline began: a little early for clocks. */
    private static final long NOT_BEFORE_MILLIS = 900;
    /** The latest: the deadline, a tick (250 ms) and room for a busy machine. Jetty's idle timeout is 30 s. */
    private static final long CUT_WITHIN_MILLIS = 4_000;

    private FixtureServer upstream;
    private RunningApp app;

    @BeforeAll
    void start() throws IOException {
        upstream = FixtureServer.start();
        app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()), LIMITS);
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void aHeadSentAByteAtATimeIsCutAtItsDeadline() throws Exception {
        try (Client client = new Client(app.port())) {
            long opened = System.nanoTime();
            client.send("GET /health/live HTTP/1.1\r\nHost: x\r\n");
            long cut = client.dribbleUntilCut("X-Slow: " + "a".repeat(200), Duration.ofMillis(100));
            assertCutInTime(opened, cut, "a byte every 100 ms");
            assertEquals(200, Client.status(app.port(), "/health/live"));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsCutAtItsDeadline() throws Exception {
        try (Client client = new Client(app.port())) {
            long opened = System.nanoTime();
            assertCutInTime(opened, client.awaitCut(Duration.ofSeconds(10)), "a silent connection");
        }
    }

    /** Cut ({@code cut}, nanoTime) within its deadline's bounds of {@code from}, when it began. */
    private static void assertCutInTime(long from, long cut, String what) {
        long millis = (cut - from) / 1_000_000;
        assertTrue(millis >= NOT_BEFORE_MILLIS && millis <= CUT_WITHIN_MILLIS,
            what + " was cut " + millis + " ms after its deadline began");
    }

    /**
     * A connection kept alive keeps the connector's idle timeout between requests: the deadline
     * runs from the next head's first byte, not from the last answer.
     */
    @Test
    void aConnectionIdleBetweenRequestsKeepsItsTimeAndItsNextHeadHasItsOwnDeadline() throws Exception {
        try (Client client = new Client(app.port())) {
            assertEquals(200, client.ask("/health/live"));
            Thread.sleep(2_500);
            assertEquals(200, client.ask("/health/live"));
            Thread.sleep(2_500);
            long began = System.nanoTime();
            client.send("G");
            long cut = client.dribbleUntilCut("ET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200),
                Duration.ofMillis(100));
            assertCutInTime(began, cut, "the second head, a byte every 100 ms from its first");
        }
    }

    /**
     * Generated heads, sent in pieces at random points with random pauses, as a first request or
     * after a request answered and a pause: every head whose pieces all arrive within 40% of the
     * deadline is answered; every one spread over three times the deadline is cut, not before its
     * deadline and well before Jetty's idle timeout. All at once, on one server.
     */
    @Test
    void headsInPiecesAreAnsweredWithinTheDeadlineAndCutBeyondIt() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            cases.add(Case.generated(random, i % 2 == 0));
        }
        ExecutorService clients = Executors.newFixedThreadPool(cases.size());
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (Case c : cases) {
                outcomes.add(clients.submit(() -> c.run(app.port())));
            }
            TreeSet<String> wrong = new TreeSet<>();
            for (Future<String> outcome : outcomes) {
                String failure = outcome.get();
                if (failure != null) {
                    wrong.add(failure);
                }
            }
            assertTrue(wrong.isEmpty(), "seed " + seed + ": " + wrong);
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * With every connection the server allows taken by clients that send nothing, a new client
     * waits in the kernel's queue, and is answered once the deadline has closed one of them: a
     * fifth of it while the connections are at their limit (1 s of 5 s here).
     */
    @Test
    void aClientBeyondTheConnectionLimitIsAnsweredOnceTheDeadlineFreesOne() throws Exception {
        answeredBeyondTheLimit("four connections that sent nothing", client -> { });
    }

    /**
     * Clients that ask once and keep their connections open, idle: with every connection the
     * server allows taken so, nothing was answered (the liveness probe neither) for as long as
     * they stayed, and asking again every 25 s kept Jetty's idle timeout from closing them. Near
     * the limit, a connection idle between requests for a fifth of the head deadline is closed
     * (1 s of 5 s here), and a client in the kernel's queue is answered then.
     */
    @Test
    void idleKeptAliveConnectionsAtTheLimitAreClosedForAClientInTheQueue() throws Exception {
        answeredBeyondTheLimit("four connections kept alive, idle",
            client -> assertEquals(200, client.ask("/health/live"), "asked once, then kept open"));
    }

    /** What each of the clients holding the connections does first. */
    @FunctionalInterface
    private interface Holding {
        void start(Client client) throws Exception;
    }

    /**
     * With four connections allowed, four clients holding them (each {@code holding} first), a
     * fifth client's {@code GET /health/live} is answered within a fifth of the 5 s head deadline,
     * a tick and room for a busy machine.
     */
    private void answeredBeyondTheLimit(String held, Holding holding) throws Exception {
        ServerLimits four = new ServerLimits(40, 20, Duration.ofSeconds(2), Duration.ofSeconds(10),
            Duration.ofSeconds(5), 4);
        try (RunningApp app = RunningApp.start(upstream.serveFixtureSources(TestWarehouse.newDatabase()), four)) {
            List<Client> holders = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Client client = new Client(app.port());
                    holders.add(client);
                    holding.start(client);
                }
                Thread.sleep(200); // accepted, all four
                long asked = System.nanoTime();
                assertEquals(200, Client.status(app.port(), "/health/live"));
                long millis = (System.nanoTime() - asked) / 1_000_000;
                assertTrue(millis >= 500 && millis <= CUT_WITHIN_MILLIS,
                    "the fifth client was answered after " + millis + " ms; " + held + " held the limit of four");
            } finally {
                holders.forEach(Client::close);
            }
        }
    }

    @Test
    void theConnectionLimitLeavesTheProcessItsOwnDescriptors() {
        assertEquals(128, ServerLimits.connectionsFor(256));
        assertEquals(1_024 - 128, ServerLimits.connectionsFor(1_024));
        assertEquals(16, ServerLimits.connectionsFor(64)); // a limit that small leaves little for either
        assertEquals(10_000, ServerLimits.connectionsFor(1_048_576));
    }

    /**
     * One generated client: {@code keptAlive} asks once first, then pauses up to twice the
     * deadline; then sends a head in pieces, spread within 40% of the deadline or over three times it.
     */
    private record Case(String name, boolean keptAlive, long pauseMillis, List<String> pieces, List<Long> gapsMillis,
                        boolean slow) {

        static Case generated(Random random, boolean slow) {
            boolean keptAlive = random.nextBoolean();
            long pause = keptAlive ? random.nextLong(2 * DEADLINE.toMillis()) : 0;
            String head = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Pad: " + "p".repeat(random.nextInt(300)) + "\r\n"
                + (random.nextBoolean() ? "Accept: */*\r\n" : "")
                + "\r\n";
            int count = slow ? 4 + random.nextInt(28) : 2 + random.nextInt(10);
            TreeSet<Integer> cuts = new TreeSet<>();
            while (cuts.size() < count - 1) {
                cuts.add(1 + random.nextInt(head.length() - 1));
            }
            List<String> pieces = new ArrayList<>();
            int from = 0;
            for (int cut : cuts) {
                pieces.add(head.substring(from, cut));
                from = cut;
            }
            pieces.add(head.substring(from));
            // Spread evenly: fast within 40% of the deadline, slow over three times it, no gap longer than a deadline.
            long span = slow ? 3 * DEADLINE.toMillis() : 4 * DEADLINE.toMillis() / 10;
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < pieces.size(); i++) {
                gaps.add(span / (pieces.size() - 1));
            }
            String name = (slow ? "slow" : "fast") + (keptAlive ? " after a pause of " + pause + " ms" : " first")
                + ", " + pieces.size() + " pieces";
            return new Case(name, keptAlive, pause, pieces, gaps, slow);
        }

        /** Null when the server did as it should, else what it did. */
        String run(int port) throws Exception {
            try (Client client = new Client(port)) {
                if (keptAlive) {
                    int first = client.ask("/health/live");
                    if (first != 200) {
                        return name + ": first request answered " + first;
                    }
                    Thread.sleep(pauseMillis);
                }
                long began = System.nanoTime();
                for (int i = 0; i < pieces.size(); i++) {
                    if (i > 0) {
                        Thread.sleep(gapsMillis.get(i - 1));
                    }
                    if (!client.trySend(pieces.get(i)) || client.cutNow()) {
                        long millis = (System.nanoTime() - began) / 1_000_000;
                        if (!slow) {
                            return name + ": cut after " + millis + " ms";
                        }
                        return millis >= NOT_BEFORE_MILLIS ? null : name + ": cut early, after " + millis + " ms";
                    }
                }
                if (slow) {
                    return name + ": its whole head was taken, over " + (System.nanoTime() - began) / 1_000_000 + " ms";
                }
                int status = client.readStatus();
                return status == 200 ? null : name + ": answered " + status;
            }
        }
    }

    /** A raw HTTP/1.1 client on one socket. */
    static final class Client implements AutoCloseable {

        private final Socket socket;
        private final PushbackInputStream in;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in = new PushbackInputStream(socket.getInputStream(), 1);
        }

        /** The status of one request on a connection of its own. */
        static int status(int port, String path) throws IOException {
            try (Client client = new Client(port)) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                return client.readStatus();
            }
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        /** False when the server has closed the connection (the write failed). */
        boolean trySend(String text) {
            try {
                send(text);
                return true;
            } catch (IOException closed) {
                return false;
            }
        }

        /** Asks on this connection, kept alive, and reads the whole answer. */
        int ask(String path) throws IOException {
            socket.setSoTimeout(10_000);
            send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return readStatus();
        }

        /** Reads an answer's head and its declared body; its status. */
        int readStatus() throws IOException {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed within an answer's head: " + head);
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.US_ASCII);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(text.substring(9, 12));
        }

        /** Whether the server has closed the connection, looking for at most 20 ms (a byte read is put back). */
        boolean cutNow() throws IOException {
            socket.setSoTimeout(20);
            try {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
                in.unread(b);
                return false;
            } catch (SocketTimeoutException open) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        /** Sends {@code text} a byte at a time until the server closes the connection; when it did. */
        long dribbleUntilCut(String text, Duration gap) throws Exception {
            for (char c : text.toCharArray()) {
                if (!trySend(String.valueOf(c)) || cutNow()) {
                    return System.nanoTime();
                }
                Thread.sleep(gap.toMillis());
            }
            throw new AssertionError("the server took " + text.length() + " bytes, one every " + gap.toMillis()
                + " ms, without closing the connection");
        }

        /** Waits, sending nothing, until the server closes the connection; when it did. */
        long awaitCut(Duration within) throws IOException {
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end) {
                if (cutNow()) {
                    return System.nanoTime();
                }
            }
            throw new AssertionError("the connection was still open after " + within.toMillis() + " ms");
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed already, by the server
            }
        }
    }
}
