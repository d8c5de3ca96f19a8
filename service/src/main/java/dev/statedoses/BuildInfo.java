package dev.statedoses;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What this build is: its version, from {@code state-doses.properties}, which Maven fills in. */
public final class BuildInfo {

    private static final Properties BUILD = load();

    private BuildInfo() {
    }

    /** The project's version (such as 0.1.0-SNAPSHOT). */
    public static String version() {
        return BUILD.getProperty("version", "unknown");
    }

    /**
     * What a refresh records as the build that made it: a refresh of another build does not
     * trust an earlier product to be what it would build, so it rebuilds even from unchanged sources.
     */
    public static String build() {
        return version();
    }

    /** How the service names itself to the sources it fetches. */
    public static String userAgent() {
        return "state-doses/" + version() + " (Java " + Runtime.version().feature() + ")";
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/state-doses.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state-doses.properties", e);
        }
        return properties;
    }
}
