package dev.statedoses;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An external warehouse given as one URL ({@code DATABASE_URL}), and JDBC connection parameters
 * ({@code DB_PARAMS}, and the URL's own query): TLS ({@code sslmode}, {@code sslrootcert}) and
 * anything else the PostgreSQL driver takes. Each part is null when the URL leaves it out. None
 * of it is ever quoted in an error or a log line: the URL may hold the password, a parameter a
 * key's password.
 */
record DatabaseUrl(String host, int port, String name, String user, String password, String params) {

    private static final String DATABASE_URL_FORM = "DATABASE_URL must look like "
        + "postgresql://user:password@host:5432/database?sslmode=require (or postgres://, or jdbc:postgresql://)";

    /**
     * {@code DATABASE_URL}, as managed PostgreSQL services hand it out: {@code postgres://} or
     * {@code postgresql://}, or a JDBC URL. The user and password may be in it (percent-encoded).
     * Errors never quote it: it may hold the password.
     */
    static DatabaseUrl parse(String value) {
        String text = value == null || value.isBlank() ? null : value.strip();
        if (text == null) {
            return null;
        }
        String plain = text.startsWith("jdbc:") ? text.substring("jdbc:".length()) : text;
        URI uri;
        try {
            uri = new URI(plain);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(DATABASE_URL_FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgres") && !scheme.equals("postgresql") || uri.getHost() == null) {
            throw new IllegalArgumentException(DATABASE_URL_FORM + " (one host; no other scheme)");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String name = path.length() > 1 ? decode(path.substring(1)) : null;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        String query = uri.getRawQuery() == null ? "" : params(uri.getRawQuery(), "the query of DATABASE_URL");
        return new DatabaseUrl(host, uri.getPort() == -1 ? 5432 : uri.getPort(), name, user, password, query);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static final Pattern PARAM = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*=[^&=]*");

    /** DB_PARAMS: JDBC connection parameters, {@code name=value} pairs joined by {@code &}; "" when unset. */
    static String params(String value) {
        String text = value == null || value.isBlank() ? null : value.strip();
        return text == null ? "" : params(text, "DB_PARAMS");
    }

    private static String params(String text, String what) {
        String trimmed = text.startsWith("?") ? text.substring(1) : text;
        for (String pair : trimmed.split("&", -1)) {
            if (!PARAM.matcher(pair).matches()) {
                // The value is not quoted: a parameter may be a password (sslpassword=...).
                throw new IllegalArgumentException(what + " must be name=value pairs joined by &, such as "
                    + "sslmode=verify-full&sslrootcert=/etc/ssl/certs/warehouse-ca.pem");
            }
        }
        return trimmed;
    }

    /** The names of the parameters, for a log line: {@code sslmode, sslrootcert}. */
    static String paramNames(String params) {
        List<String> names = new ArrayList<>();
        for (String pair : params.split("&")) {
            names.add(pair.substring(0, pair.indexOf('=')));
        }
        return String.join(", ", names);
    }

    /** The parameters with the value of any that may be a secret (password, key, token) hidden. */
    static String maskedParams(String params) {
        if (params.isEmpty()) {
            return "";
        }
        List<String> shown = new ArrayList<>();
        for (String pair : params.split("&")) {
            String name = pair.substring(0, pair.indexOf('='));
            String lower = name.toLowerCase(Locale.ROOT);
            boolean secret = lower.contains("password") || lower.contains("key") || lower.contains("token")
                || lower.contains("secret");
            shown.add(secret ? name + "=***" : pair);
        }
        return String.join("&", shown);
    }
}
