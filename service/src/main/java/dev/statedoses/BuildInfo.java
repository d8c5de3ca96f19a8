package dev.statedoses;

import dev.statedoses.util.Resources;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * What this build is: its version and the git commit it was built from. Read from the jar's
 * manifest ({@code Implementation-Version}, {@code Git-Commit}, {@code Git-Dirty}) when the
 * service runs from {@code service.jar}, otherwise from {@code state-doses.properties}; Maven
 * fills in both, with the same values (service/pom.xml).
 */
public final class BuildInfo {

    /** The commit when the build could not ask git (no git, or not a checkout). */
    public static final String UNKNOWN = "unknown";

    private static final Properties BUILD = load();

    private BuildInfo() {
    }

    /** The project's version (such as 0.1.0-SNAPSHOT). */
    public static String version() {
        return value("version", UNKNOWN);
    }

    /** The full id of the commit built, or {@link #UNKNOWN}. */
    public static String commit() {
        return value("commit", UNKNOWN);
    }

    /** The commit's first 12 characters, as {@code git log --abbrev=12} shows it, or {@link #UNKNOWN}. */
    public static String shortCommit() {
        String commit = commit();
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    /** Whether the checkout had changes to tracked files that the commit does not hold. */
    public static boolean modified() {
        return "true".equals(value("dirty", "false"));
    }

    /** One line for people: {@code state-doses 0.1.0 (commit 1fe0b2fe7958)}, and whether it was modified. */
    public static String describe() {
        return "state-doses " + version() + " (commit " + shortCommit()
            + (modified() ? ", built with uncommitted changes" : "") + ")";
    }

    /**
     * What a refresh records as the build that made it: a refresh of another build does not
     * trust an earlier product to be what it would build, so it rebuilds even from unchanged sources.
     */
    public static String build() {
        return build(version(), commit(), modified(), value("built", UNKNOWN));
    }

    /**
     * The build id of version {@code version} built at {@code builtAt} from {@code commit}
     * ({@link #UNKNOWN} without git), {@code modified} or not: the version and commit where they
     * name the code, and the time of the build where they cannot. Two builds of one clean commit
     * are the same code and share an id; two builds from a source archive (no commit), or of a
     * checkout with uncommitted changes, may differ in anything, and shared the version (or the
     * commit) alone: an upgrade between two such builds took the older build's product for its
     * own, found the sources unchanged and kept it, never running the newer build's checks.
     */
    static String build(String version, String commit, boolean modified, String builtAt) {
        if (!UNKNOWN.equals(commit) && !modified) {
            return version + "+" + commit;
        }
        String built = builtAt.replaceAll("[^0-9A-Za-z]", "");
        return version + "+" + (UNKNOWN.equals(commit) ? "" : commit + ".modified.") + "built." + built;
    }

    /** How the service names itself to the sources it fetches. */
    public static String userAgent() {
        return "state-doses/" + version() + " (Java " + Runtime.version().feature() + ")";
    }

    /** A filtered value, unless the build left it unfilled (a build without Maven, such as an IDE's). */
    private static String value(String key, String fallback) {
        String value = BUILD.getProperty(key);
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value.strip();
    }

    private static Properties load() {
        Properties properties = Resources.find("/state-doses.properties").map(Resources::properties)
            .orElseGet(Properties::new);
        Manifest manifest = ownManifest();
        if (manifest != null) {
            Attributes main = manifest.getMainAttributes();
            copy(main, "Implementation-Version", properties, "version");
            copy(main, "Git-Commit", properties, "commit");
            copy(main, "Git-Dirty", properties, "dirty");
            copy(main, "Build-Time", properties, "built");
        }
        return properties;
    }

    private static void copy(Attributes from, String name, Properties to, String key) {
        String value = from.getValue(name);
        if (value != null) {
            to.setProperty(key, value);
        }
    }

    /** The manifest of the jar this class was loaded from; null when it runs from a directory. */
    private static Manifest ownManifest() {
        URL self = BuildInfo.class.getResource("BuildInfo.class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return null;
        }
        try {
            URLConnection connection = self.openConnection();
            return connection instanceof JarURLConnection jar ? jar.getManifest() : null;
        } catch (IOException e) {
            return null; // the properties file says the same
        }
    }
}
