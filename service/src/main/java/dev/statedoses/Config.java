package dev.statedoses;

import dev.statedoses.text.Redaction;
import dev.statedoses.warehouse.EmbeddedWarehouse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the service reads from its environment, with the defaults the README's table (Configuration) lists.
 * The names are those of database.env, so docker-compose and a shell configure it alike.
 */
public record Config(
    int port,
    String dbHost,
    int dbPort,
    String dbName,
    String dbUser,
    String dbPassword,
    Path dwhDir,
    URI modernaUrl,
    URI pfizerUrl,
    URI countyPopulationUrl,
    Duration sourceTimeout,
    long sourceMaxBytes,
    String refreshToken,
    String dbParams,
    Duration refreshInterval,
    List<String> corsOrigins,
    String readerPassword,
    Integer runLogDays) {

    static final String LAKE = "https://covid19-lake.s3.us-east-2.amazonaws.com/";
    public static final String DEFAULT_MODERNA_URL = LAKE
        + "cdc-moderna-vaccine-distribution/csv/cdc-moderna-covid-19-vaccine-distribution-by-state.csv";
    public static final String DEFAULT_PFIZER_URL = LAKE
        + "cdc-pfizer-vaccine-distribution/csv/cdc-pfizer-covid-19-vaccine-distribution-by-state.csv";
    public static final String DEFAULT_COUNTY_POPULATION_URL = LAKE
        + "static-datasets/csv/CountyPopulation/County_Population.csv";

    /** The embedded warehouse's port: fixed, so psql finds it, and off 5432, where a real server may run. */
    public static final int EMBEDDED_DB_PORT = 54320;

    /** An origin as browsers send it: scheme, host and, unless the scheme's default, port. No path. */
    private static final Pattern ORIGIN = Pattern.compile("https?://([a-z0-9.-]+|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?");

    /** Like the record's own, but never shows the password, the token or a secret parameter (configs end up in logs). */
    @Override
    public String toString() {
        return "Config[port=" + port + ", dbHost=" + dbHost + ", dbPort=" + dbPort + ", dbName=" + dbName
            + ", dbUser=" + dbUser + ", dbPassword=" + (dbPassword.isEmpty() ? "" : "***") + ", dbParams="
            + DatabaseUrl.maskedParams(dbParams) + ", dwhDir=" + dwhDir
            + ", modernaUrl=" + Redaction.url(modernaUrl) + ", pfizerUrl=" + Redaction.url(pfizerUrl)
            + ", countyPopulationUrl=" + Redaction.url(countyPopulationUrl) + ", sourceTimeout=" + sourceTimeout
            + ", sourceMaxBytes=" + sourceMaxBytes
            + ", refreshToken=" + (refreshToken == null ? "unset" : "***") + ", refreshInterval="
            + (refreshInterval == null ? "unset" : refreshInterval) + ", corsOrigins=" + corsOrigins
            + ", readerPassword=" + (readerPassword == null ? "unset" : "***") + ", runLogDays="
            + (runLogDays == null ? "unset" : runLogDays) + "]";
    }

    /** The JDBC URL of an external warehouse, with DB_PARAMS; it holds no user or password (those go apart). */
    public String jdbcUrl() {
        return jdbcUrl(dbHost, dbPort, dbName, dbParams);
    }

    /** A JDBC URL for PostgreSQL; {@code params} (may be empty) is its query, as DB_PARAMS gives it. */
    public static String jdbcUrl(String host, int port, String database, String params) {
        String url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
            + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return params.isEmpty() ? url : url + "?" + params;
    }

    /** Which warehouse, for logs: host, port, database and the names of the parameters, never their values. */
    public String warehouseName() {
        return dbHost + ":" + dbPort + "/" + dbName + (dbParams.isEmpty() ? "" : " with " + DatabaseUrl.paramNames(dbParams));
    }

    /** True when no external warehouse is configured and the service runs its own PostgreSQL. */
    public boolean embeddedWarehouse() {
        return dbHost == null;
    }

    /**
     * A DB_HOST no connection could be made to, refused at start as DATABASE_URL's host is. A
     * directory (libpq's way to name a Unix socket: /var/run/postgresql) ended the start in "No
     * suitable driver; the connection to it was lost", after a warning of the driver's own: the
     * driver connects over TCP only. A space, '@', '?', '#' or '/' cannot be part of a host either.
     * Left as they were: names, IPv4 and IPv6 addresses (Config brackets the latter), and the
     * driver's own comma-separated list of hosts.
     */
    private static void checkDbHost(String host) {
        if (host.startsWith("/")) {
            throw new IllegalArgumentException("DB_HOST is a directory, as libpq names a Unix socket's: the service "
                + "connects over TCP only; set DB_HOST to the server's name or address (127.0.0.1 for this machine's)");
        }
        for (char c : host.toCharArray()) {
            if (Character.isWhitespace(c) || Character.isISOControl(c) || "@?#/\\".indexOf(c) >= 0) {
                throw new IllegalArgumentException("DB_HOST must be a name or an address (letters, digits, dots, "
                    + "hyphens, underscores, or an IPv6 address): it holds " + describe(c));
            }
        }
    }

    private static String describe(char c) {
        return Character.isWhitespace(c) || Character.isISOControl(c)
            ? "a space or control character (U+" + String.format(Locale.ROOT, "%04X", (int) c) + ")" : "'" + c + "'";
    }

    public static Config fromEnvironment(Map<String, String> variables) {
        return fromEnvironment(variables, "UTF-8");
    }

    /** {@code decodedAs}: the charset the JVM read the process's environment with (Environment). */
    static Config fromEnvironment(Map<String, String> variables, String decodedAs) {
        Environment env = new Environment(variables, decodedAs);
        String params = DatabaseUrl.params(env.raw("DB_PARAMS"));
        DatabaseUrl database = DatabaseUrl.parse(env.raw("DATABASE_URL"));
        String dbHost = database != null ? database.host() : env.optional("DB_HOST");
        if (database == null && dbHost != null) {
            checkDbHost(dbHost);
        }
        int dbPort = database != null ? database.port()
            : env.integer("DB_PORT", dbHost == null ? EMBEDDED_DB_PORT : 5432, 1, 65535);
        String dbName = database != null && database.name() != null ? database.name() : env.text("POSTGRES_DB", "dwh");
        String user = database != null && database.user() != null ? database.user() : env.text("POSTGRES_USER", "postgres");
        // A password is kept exactly as given, spaces included, as DWH_READER_PASSWORD is: one
        // stripped here failed to log in with no word of why.
        String givenPassword = env.raw("POSTGRES_PASSWORD") == null ? "" : env.raw("POSTGRES_PASSWORD");
        String password = database != null && database.password() != null ? database.password() : givenPassword;
        if (dbHost == null) {
            embeddedLogin(user, givenPassword);
        }
        String allParams = database == null || database.params().isEmpty() ? params
            : params.isEmpty() ? database.params() : database.params() + "&" + params;
        if (dbHost == null && !allParams.isEmpty()) {
            throw new IllegalArgumentException("DB_PARAMS needs an external warehouse (DB_HOST or DATABASE_URL); "
                + "the embedded one takes none");
        }
        URI moderna = env.sourceUrl("MODERNA_URL", DEFAULT_MODERNA_URL);
        URI pfizer = env.sourceUrl("PFIZER_URL", DEFAULT_PFIZER_URL);
        URI population = env.sourceUrl("COUNTY_POPULATION_URL", DEFAULT_COUNTY_POPULATION_URL);
        distinct("MODERNA_URL", moderna, "PFIZER_URL", pfizer);
        distinct("MODERNA_URL", moderna, "COUNTY_POPULATION_URL", population);
        distinct("PFIZER_URL", pfizer, "COUNTY_POPULATION_URL", population);
        Path dwhDir = dwhDir(env.text("DWH_DIR", ".dwh"), env);
        if (dbHost == null) {
            embeddedDataDirectory(dwhDir);
        }
        return new Config(
            env.integer("PORT", 8080, 0, 65535),
            dbHost,
            dbPort,
            dbName,
            user,
            password,
            dwhDir,
            moderna,
            pfizer,
            population,
            Duration.ofSeconds(env.integer("SOURCE_TIMEOUT", 60, 1, 3600)),
            env.positiveLong("SOURCE_MAX_BYTES", 200L * 1000 * 1000),
            refreshToken(env.raw("REFRESH_TOKEN")),
            allParams,
            interval(env.optional("REFRESH_INTERVAL")),
            corsOrigins(env.text("CORS_ORIGINS", "*")),
            // Blank is unset, as compose passes an unset ${DWH_READER_PASSWORD:-}; kept as given.
            env.optional("DWH_READER_PASSWORD") == null ? null : env.raw("DWH_READER_PASSWORD"),
            runLogDays(env));
    }

    /**
     * DWH_DIR as an absolute path. A value the file system cannot name (a NUL, a character the
     * platform's encoding cannot write) is an error naming the setting, as every other setting's is:
     * the JDK's own said only "Nul character not allowed: ...".
     */
    private static Path dwhDir(String text, Environment env) {
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("DWH_DIR is not a path this system can use: " + e.getReason()
                + env.namesFilesIn());
        }
    }

    /**
     * The embedded warehouse's data directory, where pg_ctl can start a server: it starts
     * PostgreSQL through a shell, the path in double quotes, so a $, ` or " in it is the shell's
     * (a directory a$b became a, and the start ended in "connect failed", with no word of why).
     * A \ is refused with them: before one of those, the shell takes it as an escape. The path
     * is the absolute one, so the directory the service runs in counts (.dwh under a checkout
     * whose path holds a $).
     */
    private static void embeddedDataDirectory(Path dwhDir) {
        String path = dwhDir.toString();
        for (char c : path.toCharArray()) {
            if ("$`\"\\".indexOf(c) >= 0) {
                throw new IllegalArgumentException("DWH_DIR is " + path + " (the embedded warehouse's data directory), "
                    + "whose path holds '" + c + "': PostgreSQL's pg_ctl starts the server through a shell, which "
                    + "would read it as its own. Set DWH_DIR to a directory whose path has no $, `, \" or \\");
            }
        }
    }

    /** RUN_LOG_DAYS: the days of runs the run log keeps, 1 to 36,500; null (unset): every run. */
    private static Integer runLogDays(Environment env) {
        String text = env.optional("RUN_LOG_DAYS");
        if (text == null) {
            return null;
        }
        // ASCII digits only: Integer.parseInt would also take "+5" and other scripts' digits.
        int days = text.matches("[0-9]{1,5}") ? Integer.parseInt(text) : 0;
        if (days < 1 || days > 36_500) {
            throw new IllegalArgumentException("RUN_LOG_DAYS must be a whole number of days from 1 to 36500 "
                + "(unset: the run log keeps every run), not '" + text + "'");
        }
        return days;
    }

    /**
     * Two sources read from one URL: one of them is the other's file, and every refresh would
     * fail (or, for the two allocation files, count each dose twice). Said at start, by name, and
     * without quoting the URL, which may carry a secret (a signature, a token). Compared as
     * configured, secrets included, in memory.
     */
    private static void distinct(String name, URI url, String otherName, URI other) {
        if (url.normalize().equals(other.normalize())) {
            throw new IllegalArgumentException(name + " and " + otherName + " are the same URL: each source needs "
                + "its own file");
        }
    }

    /**
     * The embedded warehouse always logs in as postgres, without a password: a POSTGRES_USER or
     * POSTGRES_PASSWORD meant for an external warehouse would never take effect, and most likely
     * DB_HOST was forgotten. Refused, as DB_PARAMS is there, rather than silently ignored.
     */
    private static void embeddedLogin(String user, String password) {
        if (!password.isEmpty() || !user.equals(EmbeddedWarehouse.USER)) {
            throw new IllegalArgumentException((password.isEmpty() ? "POSTGRES_USER" : "POSTGRES_PASSWORD")
                + " is set, but no external warehouse is (DB_HOST or DATABASE_URL): the embedded one always logs in "
                + "as " + EmbeddedWarehouse.USER + ", without a password; set DB_HOST, or unset it");
        }
    }

    /**
     * The origins whose pages may read the API (CORS): {@code *} for any (the default: the data
     * is public), or origins separated by commas or spaces, such as
     * {@code https://grafana.example.org, http://localhost:3000}. Kept as browsers send them, so
     * that they can match: in lower case, without a trailing slash, and without the scheme's
     * default port ({@code https://host:443} is sent as {@code https://host}). A value of
     * separators alone names no origin: refused, never taken for {@code *}.
     */
    private static List<String> corsOrigins(String value) {
        List<String> origins = new ArrayList<>();
        for (String part : value.split("[,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            String origin = part.toLowerCase(Locale.ROOT).replaceFirst("/$", "");
            if (!origin.equals("*")) {
                origin = origin(origin, part);
            }
            if (!origins.contains(origin)) {
                origins.add(origin);
            }
        }
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("CORS_ORIGINS names no origin, only separators: set * for any origin, "
                + "or origins such as https://grafana.example.org (unset, it is *)");
        }
        return origins.contains("*") ? List.of("*") : List.copyOf(origins);
    }

    /** One origin as browsers send it in {@code Origin}; {@code given} as written, for the error. */
    private static String origin(String origin, String given) {
        Matcher m = ORIGIN.matcher(origin);
        if (!m.matches()) {
            throw new IllegalArgumentException("CORS_ORIGINS must be * or origins such as https://grafana.example.org "
                + "(scheme, host and port; no path), not '" + given + "'");
        }
        if (m.group(2) == null) {
            return origin;
        }
        int port = Integer.parseInt(m.group(2).substring(1));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("CORS_ORIGINS has an origin with port " + port + " ('" + given
                + "'): a port must be between 1 and 65535");
        }
        boolean https = origin.startsWith("https:");
        String host = origin.substring(0, m.start(2));
        // A browser leaves the default port out of Origin, and writes the others without leading zeros.
        return https && port == 443 || !https && port == 80 ? host : host + ":" + port;
    }

    private static final Pattern INTERVAL = Pattern.compile("([0-9]{1,9})\\s*([smhd])");

    /** REFRESH_INTERVAL: {@code 45s}, {@code 30m}, {@code 6h}, {@code 1d}, or ISO 8601 ({@code PT6H}); null when unset. */
    static Duration interval(String text) {
        if (text == null) {
            return null;
        }
        Duration interval;
        Matcher m = INTERVAL.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            interval = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } else if (text.indexOf('-') < 0) {
            // ISO 8601 has no negative parts: Java's parser read PT1M-30S as 30 s.
            try {
                interval = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                interval = null;
            }
        } else {
            interval = null;
        }
        if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("REFRESH_INTERVAL must be a duration from 1s to 366d, such as 45s, 30m, "
                + "6h or 1d (unset: no schedule), not '" + text + "'");
        }
        return interval;
    }

    /**
     * The token POST /refresh requires: null (refresh open to anyone) only when the variable is
     * unset. Set but blank, it is a mistake (an empty {@code ${REFRESH_TOKEN}} from compose or a
     * shell), and taking it for "no token" would open refresh to anyone: refuse it instead.
     * Surrounding whitespace is stripped, as for every variable here: a client cannot send it
     * anyway (HTTP strips it from header values, and RefreshAccess strips the token it is given).
     */
    private static String refreshToken(String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException("REFRESH_TOKEN is set but blank: set a token, or unset the "
                + "variable to leave POST /refresh open");
        }
        String token = value.strip();
        for (int i = 0; i < token.length(); i++) {
            if (Character.isISOControl(token.charAt(i))) {
                // No Authorization header can carry it: refresh would be shut to everyone, silently.
                throw new IllegalArgumentException(String.format(Locale.ROOT, "REFRESH_TOKEN holds a control "
                    + "character (U+%04X at index %d): no Authorization header can carry it; use letters, digits "
                    + "and punctuation", (int) token.charAt(i), i));
            }
            if (token.charAt(i) > '~') {
                // Beyond ASCII, clients send it in different bytes (curl UTF-8, others Latin-1): whoever
                // holds the token could be refused without knowing why.
                // Which character is not said: it is part of a secret.
                throw new IllegalArgumentException(String.format(Locale.ROOT, "REFRESH_TOKEN holds a character "
                    + "beyond ASCII (at index %d): HTTP clients send such characters in different bytes, so the "
                    + "token could not be sent reliably; use ASCII letters, digits and punctuation", i));
            }
        }
        return token;
    }
}
