package dev.statedoses.warehouse;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL programs the embedded library unpacks from the jar, once per machine, into
 * {@code java.io.tmpdir/embedded-pg/PG-<the archive's MD5>} (or {@code ot.epg.working-dir}),
 * checked against the archive when a start fails. The library writes each file in one write
 * whose failure it only logs, and marks the directory whole all the same: unpacked onto a full
 * disk, the programs were left empty or cut short, for good (a later unpack keeps the files that
 * exist). An empty initdb and pg_ctl "succeed" without a word; every start after that waited the
 * library's minute and guessed at the port. A damaged directory is removed, so that the next start
 * unpacks it afresh, and the start says so.
 */
final class Binaries {

    private Binaries() {
    }

    /**
     * What is wrong with the unpacked programs, in words, having removed them; empty when they are
     * whole, or when they cannot be compared (no archive for this platform, the library's naming
     * not found): the start's failure then speaks for itself.
     */
    static Optional<String> damage() {
        byte[] archive;
        Path dir;
        try {
            archive = archive();
            if (archive == null) {
                return Optional.empty();
            }
            dir = workingDirectory().resolve("PG-" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive)));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<String> damaged = new ArrayList<>();
        int files = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                Path file = dir.resolve(entry.getName()).normalize();
                if (!file.startsWith(dir)) {
                    continue;
                }
                if (entry.isSymbolicLink() || entry.isLink()) {
                    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                        damaged.add(dir.relativize(file).toString());
                    }
                } else if (entry.isFile()) {
                    files++;
                    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != entry.getSize()) {
                        damaged.add(dir.relativize(file).toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (damaged.isEmpty()) {
            return Optional.empty();
        }
        // The programs first: they are what the start ran.
        damaged.sort(Comparator.comparing((String name) -> !name.startsWith("bin/")).thenComparing(Comparator.naturalOrder()));
        String free;
        try {
            free = Files.getFileStore(dir).getUsableSpace() / (1 << 20) + " MB was free there";
        } catch (IOException e) {
            free = "its free space unknown";
        }
        String which = damaged.size() + " of its " + files + " files missing or cut short ("
            + String.join(", ", damaged.subList(0, Math.min(3, damaged.size()))) + (damaged.size() > 3 ? ", …" : "")
            + "; unpacked onto a full disk? " + free + ")";
        try {
            remove(dir);
        } catch (IOException e) {
            return Optional.of("the embedded PostgreSQL's programs unpacked in " + dir + " are damaged, " + which
                + ", and could not be removed (" + e.getMessage() + "): remove that directory, then start again");
        }
        return Optional.of("the embedded PostgreSQL's programs unpacked in " + dir + " were damaged, " + which
            + ": removed them, so that the next start unpacks them afresh");
    }

    /** The archive the library unpacks, as it finds it (null when there is none for this platform). */
    private static byte[] archive() throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String system = os.startsWith("windows") ? "Windows" : os.startsWith("mac") ? "Darwin" : "Linux";
        String arch = System.getProperty("os.arch", "");
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system,
            "amd64".equals(arch) ? "x86_64" : arch)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Where the library unpacks its programs, as it decides. */
    static Path workingDirectory() {
        return Path.of(System.getProperty("ot.epg.working-dir",
            Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg").toString()));
    }

    private static void remove(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
