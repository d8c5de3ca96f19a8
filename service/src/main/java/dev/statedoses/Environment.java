package dev.statedoses;

import dev.statedoses.text.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The process environment read as typed values: how a variable's text becomes a number or a URL,
 * and the error that names the variable when it cannot. Config says which variables there are and
 * what they default to; this is the part every variable shares. Values are stripped, and a blank
 * one counts as unset.
 *
 * <p>The JVM decodes the environment's bytes in the charset of the locale it starts in
 * ({@code sun.jnu.encoding}). Under any but UTF-8 (LANG=C: ASCII; a Latin-1 locale), a setting
 * beyond ASCII arrives as something else: POSTGRES_DB=dwh_nöne asked for {@code dwh_n??ne}, or
 * {@code dwh_nÃ¶ne}, and the warehouse answered that the database, which exists, does not. Bytes
 * that are not UTF-8 arrive as U+FFFD. Either is refused, naming the setting, before any is used.
 */
final class Environment {

    private final Map<String, String> variables;
    private final boolean decodedAsUtf8;
    private final String decodedAs;

    /** {@code decodedAs}: the charset the JVM read {@code variables} with. */
    Environment(Map<String, String> variables, String decodedAs) {
        this.variables = variables;
        this.decodedAs = decodedAs;
        this.decodedAsUtf8 = decodedAs.equalsIgnoreCase("UTF-8") || decodedAs.equalsIgnoreCase("UTF8");
    }

    /** The value exactly as given, blank or not; null when unset. For the rules that tell blank from unset. */
    String raw(String name) {
        String value = variables.get(name);
        if (value != null) {
            decoded(name, value);
        }
        return value;
    }

    /**
     * Fails when {@code value} cannot be the text that was set (see the class). Read in another
     * charset than UTF-8, any character beyond ASCII is suspect, U+FFFD included: the ASCII of
     * LANG=C makes every such byte one.
     */
    private void decoded(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0x7f && !decodedAsUtf8) {
                throw new IllegalArgumentException(name + " holds characters beyond ASCII, and this JVM reads its "
                    + "environment as " + decodedAs + ", the charset of the locale it was started in (LANG, "
                    + "LC_ALL): they are not what was set. Start it under a UTF-8 locale, such as LANG=C.UTF-8");
            }
            if (c == '\uFFFD') {
                throw new IllegalArgumentException(name + " holds U+FFFD (at index " + i + ", counted from 0), "
                    + "what bytes that are not UTF-8 are read as: set it as UTF-8 text");
            }
        }
    }

    /**
     * For a path the file system refused: the JVM names files in the same charset, and under
     * LANG=C no name beyond ASCII can be written (a file: URL's %C3%B1 included).
     */
    String namesFilesIn() {
        return decodedAsUtf8 ? "" : " (this JVM names files in " + decodedAs + ", the charset of the locale it was "
            + "started in: start it under a UTF-8 locale, such as LANG=C.UTF-8)";
    }

    /** The stripped value, or null when unset or blank. */
    String optional(String name) {
        String value = raw(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    String text(String name, String fallback) {
        String value = optional(name);
        return value == null ? fallback : value;
    }

    int integer(String name, int fallback, int min, int max) {
        long value = longInteger(name, fallback);
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
        }
        return (int) value;
    }

    long longInteger(String name, long fallback) {
        String value = optional(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    /** A count that must be above 0, such as a size limit: 0 or less would refuse everything, later. */
    long positiveLong(String name, long fallback) {
        long value = longInteger(name, fallback);
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be a whole number above 0, not " + value);
        }
        return value;
    }

    /**
     * A URL. When it does not parse, the error says what is wrong and where (the index, and the
     * kind of character found there), never the value: {@link URISyntaxException#getMessage()}
     * quotes the whole input, which for a URL may hold a password or a signature.
     */
    URI url(String name, String fallback) {
        String value = text(name, fallback);
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + e.getReason()
                + where(value, e.getIndex()));
        }
    }

    /**
     * Where a URL stops parsing, and what stands there, in words that quote none of it. The
     * parser names the start of the part it gave up on (index 8, the authority, for a space in a
     * password), so the first character no URL may hold from there on is named instead, if any.
     */
    static String where(String value, int index) {
        if (index < 0) {
            return "";
        }
        for (int i = index; i < value.length(); i++) {
            String kind = neverInUrl(value, i);
            if (kind != null) {
                return " (index " + i + ", counted from 0, holds " + kind + ")";
            }
        }
        return index >= value.length() ? " (at its end)" : " (at index " + index + ", counted from 0)";
    }

    /** What kind of character at {@code i} no URL may hold as it is, or null. */
    private static String neverInUrl(String value, int i) {
        char c = value.charAt(i);
        if (c == ' ') {
            return "a space: write it as %20";
        }
        if (Character.isISOControl(c)) {
            return String.format(Locale.ROOT, "a control character, U+%04X", (int) c);
        }
        if ("\"<>\\^`{|}".indexOf(c) >= 0) {
            return "a character that must be percent-encoded";
        }
        if (c == '%' && !(i + 2 < value.length() && HexFormat.isHexDigit(value.charAt(i + 1))
            && HexFormat.isHexDigit(value.charAt(i + 2)))) {
            return "a % not followed by two hexadecimal digits";
        }
        return null;
    }

    /**
     * A source's URL, checked whole at start: everything a refresh would otherwise find wrong only
     * when it asks for the source (as a 500 that named no source), or never (credentials, which
     * the HTTP client does not send, yet the run log would serve to anyone). {@code http://} and
     * {@code https://} need a host and, if a port is given, one from 1 to 65535; {@code file:}
     * needs a path this machine can open. The message never quotes the value, which could hold
     * a password or a signature (only a bare path is shown, as the file: URL it should be, redacted).
     */
    URI sourceUrl(String name, String fallback) {
        URI url = url(name, fallback);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                if (url.getRawUserInfo() != null) {
                    throw new IllegalArgumentException(name + " must not hold a user name or password (user:password@): "
                        + "the service never sends them, and the URL is shown on GET /refreshes");
                }
                if (url.getHost() == null) {
                    throw new IllegalArgumentException(name + " must name a host, such as https://example.org/file.csv "
                        + "(a host name of letters, digits, hyphens and dots)");
                }
                if (url.getPort() != -1 && (url.getPort() < 1 || url.getPort() > 65535)) {
                    throw new IllegalArgumentException(name + " has port " + url.getPort()
                        + ": a port must be between 1 and 65535");
                }
            }
            case "file" -> {
                if (url.getRawAuthority() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
                    throw new IllegalArgumentException(name + " must be a file: URL with a path only, such as "
                        + "file:/data/m.csv or file:data/m.csv (no host, query or fragment)");
                }
                String path = url.isOpaque() ? url.getSchemeSpecificPart() : url.getPath();
                if (path == null || path.isEmpty()) {
                    throw new IllegalArgumentException(name + " is a file: URL without a path, such as file:/data/m.csv");
                }
                try {
                    Path.of(path);
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException(name + " is not a path this machine can open: " + e.getReason()
                        + namesFilesIn());
                }
            }
            // The scheme is not quoted: "analyst:pw@host/m.csv" parses as the scheme "analyst".
            default -> throw new IllegalArgumentException(name + " must be an http://, https:// or file: URL"
                + (scheme.isEmpty() ? ", not a bare path (file:" + value(url) + " reads a file)"
                    : ", not another scheme"));
        }
        return url;
    }

    /** A URL without a scheme as given, for a hint (a bare path), its secrets hidden all the same. */
    private static String value(URI url) {
        return Redaction.url(url);
    }
}
