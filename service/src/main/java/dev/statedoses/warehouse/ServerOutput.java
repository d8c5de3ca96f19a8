package dev.statedoses.warehouse;

import dev.statedoses.text.Printable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded warehouse's PostgreSQL programs print (initdb, pg_ctl, and the server itself
 * for as long as it runs), kept in a file beside the data directory: {@code .dwh.server.log} for
 * {@code .dwh}. Not inside it: initdb wants a new directory empty, and the file is opened before
 * initdb runs. It all went to the embedded library's logger, which the service silences for its
 * noise: a server that could not start (a setting it does not know, a directory with the wrong
 * permissions, a damaged or missing file) failed after the library's whole minute, with guesses
 * ("is the port taken?"), and its own words were nowhere. A start that fails now quotes them
 * ({@link #said}).
 */
final class ServerOutput {

    private static final Logger LOG = LoggerFactory.getLogger(ServerOutput.class);
    static final String SUFFIX = ".server.log";
    /** Past this size at a start, the file is moved aside (one old file kept) and begun afresh. */
    private static final long KEEP_BYTES = 8L << 20;
    /** The most of the output a failure reads back: the end of it, where the reason is. */
    private static final int READ_BACK_BYTES = 64 << 10;
    /** The most a failure quotes, in characters, and in lines of the programs' output. */
    private static final int QUOTE_CHARS = 600;
    private static final int QUOTE_LINES = 12;

    /** A line of the server's log: its prefix (time, PID), its severity, its message. */
    private static final Pattern SERVER_LINE = Pattern.compile(
        "^(?:.*?\\s)?(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|LOCATION):\\s+(.*)$");
    /** What the server logs as any start or stop goes: no reason for a failure. */
    private static final Pattern ROUTINE = Pattern.compile("^(?:starting PostgreSQL |listening on |database system is"
        + " (?:shut down|ready)|database system was shut down at |database system was interrupted|terminating any other"
        + " active server processes|shutting down due to startup process failure|startup process \\(PID \\d+\\) exited"
        + "|redirecting log output|ending log output|received (?:fast|smart|immediate) shutdown|aborting any active"
        + " transactions|background worker .* exited|shutting down$|checkpoint (?:starting|complete))");
    /** pg_ctl's own words around a start or a stop, which say only that it waited, and for what. */
    private static final Pattern PG_CTL_WAITING = Pattern.compile("^waiting for server to (?:start|shut down)\\.*\\s*");
    private static final Pattern PG_CTL_ROUTINE = Pattern.compile("^(?:stopped waiting|done|server started|server stopped|pg_ctl:"
        + " could not start server|Examine the log output\\.|pg_ctl: another server might be running; trying to start"
        + " server anyway)$");

    /** A line of the server's (its severity already first) that says what went wrong. */
    private static final Pattern PROBLEM = Pattern.compile("^(?:ERROR|FATAL|PANIC|DETAIL|HINT): .*");
    /** A line of a program's own, under its name ("postgres: …", "initdb: …"). */
    private static final Pattern PROGRAM_LINE = Pattern.compile("^[a-z_]+: .*");

    private final Path file;
    private final String unkept;
    private final long from;

    private ServerOutput(Path file, String unkept, long from) {
        this.file = file;
        this.unkept = unkept;
        this.from = from;
    }

    /** The output file beside {@code dataDir}, opened to add to; where it cannot be, none (the library's logger). */
    static ServerOutput beside(Path dataDir) {
        Path file = fileOf(dataDir);
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                // A FIFO would hold the start until something read it; a directory cannot be written.
                throw new IOException("not a regular file");
            }
            if (Files.isRegularFile(file) && Files.size(file) > KEEP_BYTES) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".old"), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // Readable by its owner only, as the data directory and PostgreSQL's own log files
                // are: a failed statement is logged with its text.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
                return new ServerOutput(file, null, channel.size());
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            String why = e instanceof IOException io ? IoReason.of(io) : String.valueOf(e.getMessage());
            LOG.debug("the embedded warehouse's output is not kept ({} cannot be written: {})", file, why);
            return new ServerOutput(null, file + " cannot be written: " + why, 0);
        }
    }

    static Path fileOf(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + SUFFIX);
    }

    /** Where the programs' output goes: the file, or the library's logger when there is none. */
    ProcessBuilder.Redirect redirect() {
        return file == null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.appendTo(file.toFile());
    }

    /** The file's size now (0 when none is kept): where the output of what runs next begins. */
    long end() {
        if (file == null) {
            return 0;
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether anything was written since {@code offset}. */
    boolean grownSince(long offset) {
        return file != null && end() > offset;
    }

    /** Where to read all of it, for a message: " (all they printed is in …)", or why nothing was kept. */
    String whereKept() {
        return file == null ? " (their output was not kept: " + unkept + ")" : " (all they printed is in " + file + ")";
    }

    /** What the programs said since this start began, as {@link #said(String)} reads it. */
    String saidSinceStart() {
        return said(readSince(from));
    }

    /** What the programs said since {@code offset}, as {@link #said(String)} reads it. */
    String saidSince(long offset) {
        return said(readSince(offset));
    }

    private String readSince(long offset) {
        if (file == null) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(offset, in.length() - READ_BACK_BYTES);
            int length = (int) Math.max(0, in.length() - start);
            byte[] bytes = new byte[length];
            in.seek(start);
            in.readFully(bytes);
            return decode(bytes);
        } catch (IOException e) {
            return "";
        }
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static boolean isProblem(String line) {
        return PROBLEM.matcher(line).matches();
    }

    /**
     * The reason in what PostgreSQL's programs printed, in one line: the server's lines but for
     * those any start or stop logs (with their time and PID taken off), its words that have no
     * severity (a data directory it cannot find), initdb's errors and hints, and pg_ctl's own
     * refusals, but not its words of waiting. Empty when nothing is left.
     */
    static String said(String output) {
        List<String> lines = new ArrayList<>();
        boolean initdb = false;
        for (String raw : output.split("\\R")) {
            String line = PG_CTL_WAITING.matcher(raw.strip()).replaceFirst("").strip();
            if (line.isEmpty() || PG_CTL_ROUTINE.matcher(line).matches()) {
                continue;
            }
            Matcher server = SERVER_LINE.matcher(line);
            if (server.matches()) {
                if (server.group(1).equals("LOG") && ROUTINE.matcher(server.group(2)).find()) {
                    continue;
                }
                line = server.group(1) + ": " + server.group(2).strip();
            }
            if (line.startsWith("initdb: ") && !initdb) {
                // Its error, after its words of what it would make: from now on its own lines
                // count, and the server's it ran (a FATAL of its bootstrap: a full disk), but
                // not its words of cleaning up after itself.
                initdb = true;
                lines.retainAll(lines.stream().filter(ServerOutput::isProblem).toList());
            }
            if (!initdb || (line.startsWith("initdb: ") && !line.startsWith("initdb: removing ")) || isProblem(line)) {
                lines.add(line);
            }
        }
        List<String> quoted = lines.size() > QUOTE_LINES ? lines.subList(lines.size() - QUOTE_LINES, lines.size()) : lines;
        StringBuilder out = new StringBuilder();
        for (String line : quoted) {
            if (!out.isEmpty()) {
                // A line of its own (a severity, a program's name) after "; ", a line that goes on
                // the one before it (the server's words without a severity) after a space.
                out.append(SERVER_LINE.matcher(line).matches() || PROGRAM_LINE.matcher(line).matches() ? "; " : " ");
            }
            out.append(line);
        }
        return Printable.shorten(out.toString(), QUOTE_CHARS);
    }
}
