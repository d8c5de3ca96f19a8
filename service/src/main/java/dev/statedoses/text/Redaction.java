package dev.statedoses.text;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source URL as it may leave the process: in a log line, a report, the run log in the
 * warehouse, a problem detail, the dashboard. The one place that decides what of a URL is secret.
 * A URL's user-info loses its password ({@code analyst:***@}), or is hidden whole when it has no
 * password ({@code ***@}: a lone user name is often a token, as in {@code https://<token>@host/}).
 * The value of a query (or fragment) parameter whose name says it is a secret is shown as
 * {@code ***}: a pre-signed S3 URL's {@code X-Amz-Signature}, {@code X-Amz-Credential} and
 * {@code X-Amz-Security-Token}, an Azure SAS's {@code sig}, an Azure Functions key's {@code code},
 * {@code token}, {@code access_token},
 * {@code key}, {@code api_key}, {@code apikey}, {@code password}, {@code secret}, in any case, and
 * any name holding one of the words in {@link #SECRET_WORDS}. The rest of the URL is kept as given,
 * so that an operator still sees which file it is.
 *
 * <p>Also the one place that decides whether a URL the run log shows and the configured one are
 * the same source ({@link #sameSource}): the run log keeps URLs redacted, so both are compared
 * redacted, and without the parameters that sign a pre-signed URL for a time. A URL signed again
 * for the same file is then the same source, which it is: the bytes' hash (and the upstream's
 * ETag) still decide whether it changed.
 */
public final class Redaction {

    /** What a secret is shown as. */
    public static final String HIDDEN = "***";

    /** Names that are secrets exactly (case aside): too short to look for inside other names. */
    private static final Set<String> SECRET_NAMES = Set.of("sig", "pwd", "auth", "code");

    /** Words that make a parameter's name a secret's wherever they appear in it (case aside). */
    static final List<String> SECRET_WORDS = List.of("signature", "credential", "token", "secret", "password",
        "passwd", "key");

    /**
     * The query parameters that sign a pre-signed URL (AWS Signature Version 4, as S3 hands it out,
     * and Google Cloud Storage's V4 signing, which copies it), lower case. Signing the same file again
     * changes them all (the date, the credential's date, maybe the expiry and the session token, and
     * the signature), and none of them says which file it is. An Azure SAS is not here: its
     * parameters ({@code se}, {@code st}, {@code sp}, ...) have names too short to tell from a
     * query's own, so a re-issued SAS is another source (fetched whole once).
     */
    private static final Set<String> SIGNING = Set.of(
        "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders",
        "x-amz-signature", "x-amz-security-token",
        "x-goog-algorithm", "x-goog-credential", "x-goog-date", "x-goog-expires", "x-goog-signedheaders",
        "x-goog-signature");

    private Redaction() {
    }

    /**
     * Whether {@code shown}, a source URL as the run log keeps it (redacted), and {@code url}, a
     * configured one, are the same source: equal once both are redacted and their query has lost
     * the {@link #SIGNING} parameters. Everything else counts, in order: the path, a
     * {@code versionId}, the other parameters, the fragment.
     */
    public static boolean sameSource(String shown, URI url) {
        return shown != null && url != null && unsigned(url(shown)).equals(unsigned(url(url)));
    }

    /** {@code url} without the {@link #SIGNING} parameters of its query (a {@code ?} left alone goes too). */
    private static String unsigned(String url) {
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        if (query < 0 || fragment >= 0 && fragment < query) {
            return url;
        }
        int queryEnd = fragment >= 0 ? fragment : url.length();
        String text = url.substring(query + 1, queryEnd);
        StringBuilder kept = new StringBuilder(text.length());
        int start = 0;
        while (start <= text.length()) {
            int end = indexOfAny(text, start, "&;");
            String pair = text.substring(start, end);
            int equals = pair.indexOf('=');
            String name = equals >= 0 ? pair.substring(0, equals) : pair;
            if (!SIGNING.contains(decode(name).toLowerCase(Locale.ROOT))) {
                if (!kept.isEmpty()) {
                    kept.append(start > 0 ? text.charAt(start - 1) : '&'); // the separator before it
                }
                kept.append(pair);
            }
            start = end + 1;
        }
        return url.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept) + url.substring(queryEnd);
    }

    /** {@code url} with its secrets hidden; null stays null. */
    public static String url(URI url) {
        return url == null ? null : url(url.toString());
    }

    /**
     * {@code url} with its secrets hidden: the text of a URL, parsed leniently, so that even one
     * {@link URI} refuses (a space in the password) is redacted. Null stays null.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(url.length());
        int at = 0;
        int colon = url.indexOf(':');
        boolean hasScheme = colon > 0 && url.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        // The authority follows two slashes, after the scheme or at the start (a scheme-relative
        // reference, as a redirect's Location may be), either of them a backslash as browsers and
        // URL parsers of the WHATWG standard read it (http:\\u:pw@host): a Location written so put
        // its password in the answer, the log and the run log.
        int slashes = hasScheme ? colon + 1 : 0;
        if (twoSlashes(url, slashes)) {
            at = slashes + 2;
            out.append(url, 0, at);
            int end = indexOfAny(url, at, "/?#\\");
            String authority = url.substring(at, end);
            int userEnd = authority.lastIndexOf('@');
            if (userEnd >= 0) {
                String userInfo = authority.substring(0, userEnd);
                int split = userInfo.indexOf(':');
                out.append(split >= 0 ? userInfo.substring(0, split) + ":" + HIDDEN : HIDDEN);
                out.append(authority, userEnd, authority.length());
            } else {
                out.append(authority);
            }
            at = end;
        }
        int query = url.indexOf('?', at);
        int fragment = url.indexOf('#', at);
        if (query >= 0 && fragment >= 0 && fragment < query) {
            query = -1; // a ? inside the fragment is the fragment's
        }
        int pathEnd = query >= 0 ? query : fragment >= 0 ? fragment : url.length();
        out.append(url, at, pathEnd);
        if (query >= 0) {
            int queryEnd = fragment >= 0 ? fragment : url.length();
            out.append('?').append(parameters(url.substring(query + 1, queryEnd)));
        }
        if (fragment >= 0) {
            out.append('#').append(parameters(url.substring(fragment + 1)));
        }
        return out.toString();
    }

    /** Whether {@code text} has two slashes (either a backslash) at {@code at}. */
    private static boolean twoSlashes(String text, int at) {
        return text.length() >= at + 2 && "/\\".indexOf(text.charAt(at)) >= 0 && "/\\".indexOf(text.charAt(at + 1)) >= 0;
    }

    /**
     * A URL in free text: two slashes (either a backslash), after a scheme or not, and everything
     * up to the next whitespace.
     */
    private static final Pattern URL_IN_TEXT = Pattern.compile("(?:[A-Za-z][A-Za-z0-9+.-]*:)?[/\\\\]{2}\\S+");

    /**
     * {@code text} with every URL in it ({@code scheme://…}, {@code //…}, or either with
     * backslashes) redacted as {@link #url(String)} does:
     * for free text that may quote a URL (an error kept in the run log). A URL quoted in
     * parentheses, as errors quote a source's, keeps its closing parenthesis and what follows.
     */
    public static String inText(String text) {
        if (text == null || !(text.contains("//") || text.contains("\\"))) {
            return text;
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String found = m.group();
            int end = found.length();
            while (end > 0 && "),.;:'\"".indexOf(found.charAt(end - 1)) >= 0) {
                end--;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(url(found.substring(0, end)) + found.substring(end)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether a query parameter of this name holds a secret. */
    public static boolean secretName(String name) {
        String lower = decode(name).toLowerCase(Locale.ROOT);
        // Marks around a short name do not make it another: "?sig" (in a query written with two ?s).
        if (SECRET_NAMES.contains(lower) || SECRET_NAMES.contains(lower.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", ""))) {
            return true;
        }
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** {@code name=value} pairs joined by {@code &} (or {@code ;}), each secret's value hidden. */
    private static String parameters(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start <= text.length()) {
            int end = indexOfAny(text, start, "&;");
            String pair = text.substring(start, end);
            int equals = pair.indexOf('=');
            if (equals >= 0 && secretName(pair.substring(0, equals))) {
                out.append(pair, 0, equals + 1).append(HIDDEN);
            } else {
                out.append(pair);
            }
            if (end < text.length()) {
                out.append(text.charAt(end));
            }
            start = end + 1;
        }
        return out.toString();
    }

    private static int indexOfAny(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    private static String decode(String name) {
        try {
            return URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return name; // a stray % in a name: look at it as written
        }
    }
}
