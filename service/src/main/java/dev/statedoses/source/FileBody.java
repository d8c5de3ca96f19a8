package dev.statedoses.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A {@code file:} source's bytes, read as they were when it was opened, or not at all. A file
 * written while a refresh reads it (cp over it, an editor saving in place, a sync tool) gives
 * the reader part of one version and part of the next, or an end where the writer had got to:
 * a file that no one wrote, loaded under a hash of bytes that never were, or a body "cut short"
 * that was whole. So at its end the file must still be the one opened (the same file at the
 * path), as long as it was then, unmodified since, and read to that length; otherwise reading it
 * fails as a transient fault, and the fetch reads it again, whole, once the writer is done.
 *
 * <p>An HTTP body needs none of this: its upstream sends one version, and its length says where
 * it ends. Read only through a {@link SourceStream}, which neither skips nor marks.
 */
final class FileBody extends FilterInputStream {

    private final Path path;
    private final SourceName source;
    private final URI url;
    private final Object fileKey;
    private final long size;
    private final FileTime modified;
    private long read;

    private FileBody(InputStream in, Path path, SourceName source, URI url, BasicFileAttributes opened) {
        super(in);
        this.path = path;
        this.source = source;
        this.url = url;
        this.fileKey = opened.fileKey();
        this.size = opened.size();
        this.modified = opened.lastModifiedTime();
    }

    /** Opens {@code path}, noting what it is now: after opening, so that a change between the two is seen. */
    static FileBody open(Path path, SourceName source, URI url) throws IOException {
        InputStream in = Files.newInputStream(path);
        try {
            return new FileBody(in, path, source, url, Files.readAttributes(path, BasicFileAttributes.class));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            read++;
        } else {
            atEnd();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            read += n;
        } else if (n < 0) {
            atEnd();
        }
        return n;
    }

    /** At the end of the file as it is now: it must be the file opened, whole. */
    private void atEnd() {
        SourceException changed = changed(true);
        if (changed != null) {
            throw changed;
        }
    }

    /**
     * The fault to report if the file is no longer the one opened, as long and as old as it was
     * then, or was not read to that length; null while it is. Before the end ({@code atEnd}
     * false: asked after another fault), what was read can only be too much.
     */
    SourceException changed(boolean atEnd) {
        String what;
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
            if (!Objects.equals(now.fileKey(), fileKey)) {
                what = "another file took its place";
            } else if (now.size() != size) {
                what = size + " bytes when opened, " + now.size() + " now";
            } else if (!now.lastModifiedTime().equals(modified)) {
                what = "modified at " + modified + " when opened, at " + now.lastModifiedTime() + " now";
            } else if (atEnd ? read != size : read > size) {
                what = size + " bytes when opened, " + read + " read";
            } else {
                return null;
            }
        } catch (NoSuchFileException e) {
            what = "it is gone";
        } catch (IOException e) {
            what = "it can no longer be looked at: " + e.getMessage();
        }
        return SourceException.transientFault(source, url, "the file changed while it was read (" + what
            + "): it is read again, whole", null, null);
    }
}
