package dev.statedoses;

import dev.statedoses.text.PercentDecoding;
import dev.statedoses.text.Redaction;
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
     * Every part the driver would refuse or read otherwise than meant is refused here, as a wrong
     * setting: a port that is not a number from 1 to 65535, no host or several, a host that no
     * name or address could be, a percent-escape that is not two hex digits or not UTF-8, an
     * unencoded {@code @}, a fragment, another scheme. Errors never quote it: it may hold the
     * password.
     */
    static DatabaseUrl parse(String value) {
        String text = value == null || value.isBlank() ? null : value.strip();
        if (text == null) {
            return null;
        }
        String plain = text.regionMatches(true, 0, "jdbc:", 0, "jdbc:".length()) ? text.substring("jdbc:".length()) : text;
        int colon = plain.indexOf("://");
        String scheme = colon < 0 ? "" : plain.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgres") && !scheme.equals("postgresql")) {
            throw wrong("its scheme must be postgresql:// or postgres://");
        }
        String rest = plain.substring(colon + "://".length());
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            throw wrong("a # in the user, password or database must be written %23; a URL of it has no fragment");
        }
        int query = rest.indexOf('?');
        String params = query < 0 ? "" : params(rest.substring(query + 1), "the query of DATABASE_URL");
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        int slash = beforeQuery.indexOf('/');
        String authority = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String path = slash < 0 ? "" : beforeQuery.substring(slash + 1);

        String user = null;
        String password = null;
        String hostPort = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            if (userInfo.indexOf('@') >= 0) {
                throw wrong("an @ in the user or password must be written %40");
            }
            hostPort = authority.substring(at + 1);
            int split = userInfo.indexOf(':');
            user = decode(split < 0 ? userInfo : userInfo.substring(0, split), "user");
            password = split < 0 ? null : decode(userInfo.substring(split + 1), "password");
            if (user.isEmpty()) {
                user = null;
            }
        }
        String host;
        String portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw wrong("an IPv6 address is written in brackets, [::1]");
            }
            host = hostPort.substring(1, close);
            if (!IPV6.matcher(host).matches()) {
                throw wrong("its host in brackets must be an IPv6 address");
            }
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw wrong("one host, with its port after a colon");
            }
            portText = after.isEmpty() ? null : after.substring(1);
        } else {
            int portColon = hostPort.indexOf(':');
            host = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
            portText = portColon < 0 ? null : hostPort.substring(portColon + 1);
        }
        if (host.isEmpty()) {
            throw wrong("it names no host");
        }
        if (host.indexOf(',') >= 0 || portText != null && portText.indexOf(',') >= 0) {
            throw wrong("one host: several, for fail-over, are not supported");
        }
        if (!HOST.matcher(host).matches() && !host.contains(":")) {
            throw wrong("its host must be a name or an address: letters, digits, dots, hyphens and underscores");
        }
        return new DatabaseUrl(host, port(portText), database(path), user, password, params);
    }

    /** An IPv6 address, as the driver takes it in brackets (no zone). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** A host name or an IPv4 address. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+");

    private static int port(String text) {
        if (text == null || text.isEmpty()) {
            return 5432;
        }
        if (!text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5
                || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            // Not quoted: what follows a colon may be a password that lost its @.
            throw wrong("its port must be a number from 1 to 65535");
        }
        return Integer.parseInt(text);
    }

    private static String database(String path) {
        if (path.isEmpty()) {
            return null;
        }
        if (path.indexOf('/') >= 0) {
            throw wrong("one database name after the host; a / in it must be written %2F");
        }
        return decode(path, "database name");
    }

    private static IllegalArgumentException wrong(String why) {
        return new IllegalArgumentException(DATABASE_URL_FORM + ": " + why);
    }

    /**
     * A percent-encoded part, strictly: a {@code %} takes two hex digits, and the bytes they give
     * must be UTF-8 (the driver would send a replacement character instead: a login that fails
     * with no word of why). A {@code +} is a plus, as the driver reads it. The part is never quoted.
     */
    private static String decode(String text, String part) {
        int control = -1;
        for (int i = 0; i < text.length() && control < 0; i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                control = i;
            }
        }
        try {
            String decoded = PercentDecoding.decode(text, false);
            if (control < 0) {
                return decoded;
            }
        } catch (PercentDecoding.Malformed e) {
            if (!e.notUtf8() && (control < 0 || e.index() < control)) {
                throw wrong("the " + part + " has a % without two hex digits after it (at index " + e.index()
                    + " of the " + part + "; a % itself is written %25)");
            }
            if (control < 0) {
                throw wrong("the " + part + "'s percent-escapes are not UTF-8");
            }
        }
        throw wrong("the " + part + " has a space or a control character (at index " + control + " of the " + part
            + "); write it percent-encoded");
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

    /**
     * The parameters with the value of any that may be a secret hidden, by the one rule that
     * decides what of a URL's parameters is secret (text/Redaction).
     */
    static String maskedParams(String params) {
        if (params.isEmpty()) {
            return "";
        }
        List<String> shown = new ArrayList<>();
        for (String pair : params.split("&")) {
            String name = pair.substring(0, pair.indexOf('='));
            shown.add(Redaction.secretName(name) ? name + "=" + Redaction.HIDDEN : pair);
        }
        return String.join("&", shown);
    }
}
