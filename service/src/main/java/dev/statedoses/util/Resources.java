package dev.statedoses.util;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * Files of this jar (SQL, the dashboard's files, build properties), read whole. Each caller says
 * what a missing one means: a start-up error that names it, or a default.
 */
public final class Resources {

    private Resources() {
    }

    /** The bytes of the resource at {@code path} (from the jar's root, with a leading /); empty when there is none. */
    public static Optional<byte[]> find(String path) {
        try (InputStream in = Resources.class.getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the jar", e);
        }
    }

    /** {@code bytes} read as a properties file (ISO 8859-1, as {@link Properties#load(InputStream)} reads it). */
    public static Properties properties(byte[] bytes) {
        Properties properties = new Properties();
        try {
            properties.load(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory: does not happen
        }
        return properties;
    }
}
