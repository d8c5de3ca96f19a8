package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.ForeignServer;
import dev.statedoses.support.RefusingPort;
import dev.statedoses.support.TestWarehouse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What the start adds to the driver's reason when DB_PORT names a server that is not PostgreSQL
 * (ServerProbe): "the connection attempt failed" or the pool's timeout said nothing of what was
 * there. Tried by hand on the machine's Redis, MariaDB, RabbitMQ, NATS and Mosquitto; here on
 * loopback servers that behave as those do, and on the tests' real PostgreSQL.
 */
class ServerProbeTest {

    private static final Duration WAIT = Duration.ofMillis(300);
    private static final byte[] SSL_REQUEST = {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f};

    @Test
    void realPostgresqlIsNotQuestioned() {
        Config server = TestWarehouse.newDatabase();
        assertEquals(Optional.empty(), ServerProbe.notPostgres(server.dbHost(), server.dbPort(), WAIT));
    }

    @Test
    void bothOfPostgresqlsAnswersAreTakenForIt() throws Exception {
        for (String answer : new String[] {"S", "N"}) {
            try (ForeignServer server = ForeignServer.start(ForeignServer.answers(8, ascii(answer)))) {
                assertEquals(Optional.empty(), ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT), answer);
            }
        }
    }

    @Test
    void aServerThatSpeaksFirstIsQuoted() throws Exception {
        // The start of a MySQL greeting: a 3-byte length, a sequence number, protocol 10, a version.
        byte[] greeting = ascii("J\0\0\0\n8.0.36\0\u0008\0\0\0abc");
        try (ForeignServer server = ForeignServer.start(ForeignServer.greets(greeting))) {
            assertEquals(Optional.of("something other than PostgreSQL answers at 127.0.0.1:" + server.port()
                + ": to PostgreSQL's first message it said "
                + "\"J\\x00\\x00\\x00\\x0a8.0.36\\x00\\x08\\x00\\x00\\x00abc\""),
                ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT));
        }
    }

    @Test
    void anAnswerThatStartsAsPostgresqlsButGoesOnIsNotIt() throws Exception {
        // NATS greets with "INFO {...}", a line; one that began with N would still not be one byte.
        try (ForeignServer server = ForeignServer.start(ForeignServer.answers(8, ascii("NO\r\n")))) {
            assertEquals(Optional.of("something other than PostgreSQL answers at 127.0.0.1:" + server.port()
                + ": to PostgreSQL's first message it said \"NO\\x0d\\x0a\""),
                ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT));
        }
    }

    @Test
    void aLongGreetingIsCutAfterSixtyBytes() throws Exception {
        String text = "INFO {\"server_id\":\"" + "N".repeat(56) + "\",\"version\":\"2.9.15\"}\r\n";
        try (ForeignServer server = ForeignServer.start(ForeignServer.greets(ascii(text)))) {
            assertEquals(Optional.of("something other than PostgreSQL answers at 127.0.0.1:" + server.port()
                + ": to PostgreSQL's first message it said \"INFO {\\x22server_id\\x22:\\x22" + "N".repeat(41) + "…\""),
                ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT));
        }
    }

    @Test
    void aServerThatSaysNothingIsSaidToSayNothing() throws Exception {
        try (ForeignServer server = ForeignServer.start(ForeignServer.silent())) {
            assertEquals(Optional.of("the server at 127.0.0.1:" + server.port() + " took the connection and said "
                + "nothing within 300 ms to PostgreSQL's first message, which PostgreSQL answers at once: it is "
                + "not PostgreSQL, or not only"), ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT));
        }
    }

    @Test
    void aServerThatDropsOrResetsTheConnectionIsSaidToDropIt() throws Exception {
        for (ForeignServer.Manner manner : List.of(ForeignServer.drops(8), ForeignServer.resets(8))) {
            try (ForeignServer server = ForeignServer.start(manner)) {
                assertEquals(Optional.of("the server at 127.0.0.1:" + server.port() + " took the connection and "
                    + "dropped it at PostgreSQL's first message: it does not speak PostgreSQL's protocol"),
                    ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT));
            }
        }
    }

    @Test
    void aPortNothingListensOnAddsNothing() throws Exception {
        try (RefusingPort refusing = RefusingPort.open()) {
            assertEquals(Optional.empty(), ServerProbe.notPostgres("127.0.0.1", refusing.port(), WAIT));
        }
    }

    @Test
    void aServerThatRefusedInPostgresqlsOwnWordsIsNotAskedAgain() throws Exception {
        SQLException refused = new PSQLException(
            new ServerErrorMessage("SFATAL\0VFATAL\0C3D000\0Mdatabase \"dwh\" does not exist\0"));
        try (ForeignServer server = ForeignServer.start(ForeignServer.silent())) {
            assertEquals(Optional.empty(), ServerProbe.explain(new SQLException("pool", refused), "127.0.0.1",
                server.port()));
            assertEquals(0, server.connections());
            assertTrue(ServerProbe.explain(new SQLException("The connection attempt failed."), "127.0.0.1",
                server.port()).orElseThrow().contains("said nothing"));
            assertEquals(1, server.connections());
        }
    }

    /**
     * Any answer but PostgreSQL's one byte: 200 seeded answers of 1 to 120 bytes, any byte values,
     * as the first thing the server sends or as its answer to the request. Each is quoted so that
     * the quote reads back as the answer's first 60 bytes, with "…" exactly when more came, and
     * never holds a control character or a bare quote (it goes into a log line and a JSON detail).
     */
    @Test
    void anyOtherAnswerIsQuotedExactly() throws Exception {
        Random random = new Random(20261201);
        for (int i = 0; i < 200; i++) {
            byte[] answer = new byte[1 + random.nextInt(random.nextBoolean() ? 4 : 120)];
            random.nextBytes(answer);
            if (answer.length == 1 && (answer[0] == 'S' || answer[0] == 'N')) {
                answer[0] = 'E';
            }
            ForeignServer.Manner manner = random.nextBoolean() ? ForeignServer.greets(answer)
                : ForeignServer.answers(SSL_REQUEST.length, answer);
            try (ForeignServer server = ForeignServer.start(manner)) {
                String prefix = "something other than PostgreSQL answers at 127.0.0.1:" + server.port()
                    + ": to PostgreSQL's first message it said \"";
                String said = ServerProbe.notPostgres("127.0.0.1", server.port(), WAIT).orElseThrow();
                assertTrue(said.startsWith(prefix) && said.endsWith("\""), said);
                String quote = said.substring(prefix.length(), said.length() - 1);
                boolean cut = answer.length > ServerProbe.QUOTED;
                assertEquals(cut, quote.endsWith("…"), said);
                byte[] shown = unquote(cut ? quote.substring(0, quote.length() - 1) : quote);
                byte[] expected = java.util.Arrays.copyOf(answer, Math.min(answer.length, ServerProbe.QUOTED));
                assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(shown),
                    "answer " + i);
                assertTrue(quote.chars().allMatch(c -> c >= 0x20 && c != '"' && c != 0x7f), said);
            }
        }
    }

    /** The bytes a quote stands for: {@code \xNN} is one byte, any other character its own ASCII byte. */
    private static byte[] unquote(String quote) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < quote.length(); i++) {
            char c = quote.charAt(i);
            if (c == '\\') {
                assertEquals('x', quote.charAt(i + 1), quote);
                out.write(Integer.parseInt(quote.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                assertTrue(c < 0x7f, quote);
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
