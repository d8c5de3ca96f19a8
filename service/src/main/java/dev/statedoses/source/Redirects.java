package dev.statedoses.source;

import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which redirects (3xx) a fetch follows, and why one stands as the upstream's answer. A fetch
 * follows 301, 302, 303, 307 and 308 to another http or https URL with a host (not from https to
 * http), up to {@link #LIMIT} of them, as the JDK's client does with {@code Redirect.NORMAL}; the
 * fetch follows them itself so that a fault at a later hop is named at that hop. A redirect that
 * stands has no file to load, and a second try meets the same: the refresh fails (502) saying
 * which redirect it was and where it pointed, a secret in its query hidden. The bare "upstream
 * answered HTTP 302" said nothing of a Location to ftp:, a loop, or none at all.
 */
final class Redirects {

    /**
     * How many redirects a fetch follows: four, as the JDK's client did for the fetch before it
     * followed them itself (its jdk.httpclient.redirects.retrylimit of 5 counts the first request).
     */
    static final int LIMIT = 4;

    private Redirects() {
    }

    /** Whether {@code status} is a redirect that is not a 304 (which says the kept copy is current). */
    static boolean isRedirect(int status) {
        return status >= 300 && status <= 399 && status != 304;
    }

    /**
     * Where a {@code status} redirect from {@code answeredBy} with {@code location} leads, if it is
     * one a fetch follows (the limit aside); empty when it stands ({@link #notFollowed} says why).
     */
    static Optional<URI> target(int status, URI answeredBy, List<String> location) {
        Refusal refusal = refusal(status, answeredBy, location);
        return refusal.why() == null ? Optional.of(refusal.target()) : Optional.empty();
    }

    /**
     * The message of a redirect answer that stands: {@code status} from {@code answeredBy} (the URL
     * asked last, which a relative Location is read against), with its {@code location} header's
     * lines, after {@code followed} redirects the fetch did follow.
     */
    static String notFollowed(int status, URI answeredBy, List<String> location, int followed) {
        String answered = "upstream answered HTTP " + status + (followed > 0 ? " after " + followed + " redirect"
            + (followed == 1 ? "" : "s") : "");
        Refusal refusal = refusal(status, answeredBy, location);
        if (refusal.why() != null) {
            return answered + ", " + refusal.why();
        }
        // A redirect the fetch follows, to a URL it follows to, stands only past the limit.
        return answered + ", the last to " + Printable.shorten(Redaction.url(refusal.target()), 200) + ": the "
            + "client follows no more, so they go round in a loop, or more than a source needs";
    }

    /** A redirect's target, and why it is not followed (null when it is). */
    private record Refusal(URI target, String why) {
    }

    private static Refusal refusal(int status, URI answeredBy, List<String> locations) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return new Refusal(null, "a redirect of a kind that is not followed (" + kind(status) + "): point the "
                + "source's URL at the file itself");
        }
        List<String> named = locations.stream().filter(l -> !l.isBlank()).map(String::strip).distinct().toList();
        if (named.isEmpty()) {
            return new Refusal(null, "a redirect without a Location to follow");
        }
        if (named.size() > 1) {
            // Location is one URL (RFC 9110, 10.2.2): two lines that differ (a proxy's and the
            // origin's?) leave the file's place unknown, and following the first could load
            // another file as this source.
            return new Refusal(null, "a redirect with " + named.size() + " different Locations ("
                + named.stream().map(Redirects::shown).collect(Collectors.joining(", "))
                + "): which one the file is at cannot be told");
        }
        String location = named.get(0);
        URI target;
        try {
            target = answeredBy.resolve(location);
        } catch (IllegalArgumentException e) {
            String why = e.getCause() instanceof URISyntaxException syntax ? ": " + lowerFirst(syntax.getReason()) : "";
            return new Refusal(null, "a redirect to something that is not a URL (" + shown(location) + why
                + ")");
        }
        String to = Printable.shorten(Redaction.url(target), 200);
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new Refusal(target, "a redirect to " + to + ", which is not followed: only http and https URLs are");
        }
        if (scheme.equals("http") && "https".equalsIgnoreCase(answeredBy.getScheme())) {
            return new Refusal(target, "a redirect from https to " + to + ", which is not followed: it would fetch "
                + "the file unencrypted");
        }
        if (target.getHost() == null) {
            return new Refusal(target, "a redirect to " + to + ", which names no host"
                + (target.getRawAuthority() == null ? "" : " that can be connected to"));
        }
        if (target.getPort() != -1 && (target.getPort() < 1 || target.getPort() > 65535)) {
            return new Refusal(target, "a redirect to " + to + ", whose port is not from 1 to 65535");
        }
        return new Refusal(target, null);
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    private static String kind(int status) {
        return switch (status) {
            case 300 -> "Multiple Choices";
            case 305 -> "Use Proxy";
            case 306 -> "unused";
            default -> "not a redirect HTTP defines";
        };
    }

    /**
     * A Location that is no URL, shown as text: a secret in its query hidden, whether it is
     * absolute or relative ({@code /m.csv?X-Amz-Signature=...} has no scheme to find it by).
     */
    private static String shown(String location) {
        return Printable.shorten(Redaction.url(location.strip()), 200);
    }
}
