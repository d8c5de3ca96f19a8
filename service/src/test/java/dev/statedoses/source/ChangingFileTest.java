package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code file:} source written while it is read (cp over it, an editor saving in place, a
 * sync tool renaming a new copy over it, a clean-up deleting it) is not loaded as the mix of
 * versions, or the part, the reader got: reading it fails as a transient fault saying the file
 * changed, and the next attempt of the same fetch (as a refresh makes it) reads the file as it is
 * then, whole. Through the real fetcher on real files; each change at several points of the read,
 * drawn with a fixed seed. The file's time is set an hour back first: the kernel stamps writes
 * with a clock of a few milliseconds, and a test's write could otherwise fall in the same tick.
 */
class ChangingFileTest {

    private static final byte[] V1 = Fixtures.bytes("moderna.csv");
    /** The next version: a week more at the top, as the CDC's weekly files grow. */
    private static final byte[] V2 = (new String(V1, java.nio.charset.StandardCharsets.UTF_8).replaceFirst("\n",
        "\n\"Vermont\",\"2021-03-01T00:00:00.000\",\"900\",\"900\"\n")).getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** One way a file changes under its reader. */
    private interface Change {
        void apply(Path file) throws IOException;
    }

    private record Named(String name, Change change) {
    }

    private List<Named> changes() {
        return List.of(
            new Named("rewritten in place, longer (cp over it)", file -> Files.write(file, V2)),
            new Named("truncated and rewritten shorter", file -> Files.write(file, Arrays.copyOf(V1, V1.length / 3))),
            new Named("a byte changed in place, same length", file -> {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.seek(V1.length - 3);
                    raf.write('7');
                }
            }),
            new Named("appended to", file -> Files.write(file, "\"Ohio\",\"2021-01-04T00:00:00.000\",\"1\",\"1\"\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND)),
            new Named("replaced by a rename", file -> {
                Path next = file.resolveSibling("next.csv");
                Files.write(next, V2);
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }),
            new Named("deleted", Files::delete));
    }

    @Test
    void aFileChangedWhileItIsReadIsReadAgainWhole() throws IOException {
        Random random = new Random(20261201);
        for (Named named : changes()) {
            for (int i = 0; i < 3; i++) {
                int before = random.nextInt(V1.length);
                Path file = dir.resolve("moderna.csv");
                writeAnHourAgo(file, V1);
                try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(30), 1_000_000, "test")) {
                    SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, file.toUri(), null);
                    String where = named.name() + " after " + before + " bytes";
                    SourceException e;
                    try (SourceStream stream = fetch.open()) {
                        stream.readNBytes(before);
                        named.change().apply(file);
                        e = assertThrows(SourceException.class, stream::readAllBytes, where);
                    }
                    assertTrue(e.isTransient(), where + ": " + e.getMessage());
                    assertTrue(e.getMessage().startsWith("the file changed while it was read ("), e.getMessage());
                    assertTrue(e.getMessage().endsWith("): it is read again, whole"), e.getMessage());
                    if (!Files.exists(file)) {
                        continue;
                    }
                    // The refresh's next attempt, as RawLoad makes it: the file as it is now.
                    byte[] now = Files.readAllBytes(file);
                    assertTrue(fetch.mayRetry(e), where);
                    try (SourceStream again = fetch.open()) {
                        assertArrayEquals(now, again.readAllBytes(), where);
                        assertEquals(Fixtures.sha256(now), again.sha256Hex(), where);
                    }
                    assertEquals(2, fetch.attempts(), where);
                }
            }
        }
    }

    /** Untouched, plain or gzipped, a file reads whole at the first attempt, however it is read. */
    @Test
    void anUntouchedFileReadsWhole() throws IOException {
        Path plain = dir.resolve("plain.csv");
        Path gzipped = dir.resolve("gzipped.csv.gz");
        writeAnHourAgo(plain, V1);
        writeAnHourAgo(gzipped, gzip(V1));
        try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(30), 1_000_000, "test")) {
            for (Path file : List.of(plain, gzipped)) {
                SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, file.toUri(), null);
                try (SourceStream stream = fetch.open()) {
                    assertArrayEquals(V1, readInSmallSteps(stream), file.toString());
                    SourceException fault = SourceException.content(SourceName.MODERNA, file.toUri(), 2L, null, "x");
                    assertSame(fault, stream.orChange(fault), "a fault of an unchanged file is its own");
                }
                assertEquals(1, fetch.attempts());
            }
        }
    }

    /**
     * A fault met in the middle of a file that has changed since it was opened (the CSV reader
     * refusing the seam between two versions) is reported as the change, which is tried again,
     * not as a fault of the file's content, which is not.
     */
    @Test
    void aFaultInAFileThatChangedIsTheChange() throws IOException {
        Path file = dir.resolve("moderna.csv");
        writeAnHourAgo(file, V1);
        try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(30), 1_000_000, "test")) {
            SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, file.toUri(), null);
            try (SourceStream stream = fetch.open()) {
                stream.readNBytes(V1.length / 2);
                Files.write(file, V2);
                SourceException seam = SourceException.content(SourceName.MODERNA, file.toUri(), 5L, null,
                    "'2021-0\"Ohio' is not a date");
                SourceException reported = stream.orChange(seam);
                assertTrue(reported.isTransient(), reported.getMessage());
                assertEquals("the file changed while it was read (" + V1.length + " bytes when opened, " + V2.length
                    + " now): it is read again, whole", reported.getMessage());
            }
        }
    }

    /**
     * A gzipped file rewritten under its reader: whatever the decoder makes of the seam (a
     * damaged stream, or a whole one with a length that no longer holds), it is the change.
     */
    @Test
    void aGzippedFileChangedWhileItIsReadIsTheChange() throws IOException {
        for (byte[] next : List.of(gzip(V2), gzip(Arrays.copyOf(V1, 100)))) {
            Path file = dir.resolve("moderna.csv.gz");
            writeAnHourAgo(file, gzip(V1));
            try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(30), 1_000_000, "test")) {
                SourceFetcher.Fetch fetch = fetcher.fetch(SourceName.MODERNA, file.toUri(), null);
                try (SourceStream stream = fetch.open()) {
                    stream.readNBytes(10);
                    Files.write(file, next);
                    SourceException e = assertThrows(SourceException.class, stream::readAllBytes);
                    SourceException reported = stream.orChange(e);
                    assertTrue(reported.isTransient(), reported.getMessage());
                    assertTrue(reported.getMessage().startsWith("the file changed while it was read ("),
                        reported.getMessage());
                }
            }
        }
    }

    private static void writeAnHourAgo(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    }

    private static byte[] readInSmallSteps(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[7];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
