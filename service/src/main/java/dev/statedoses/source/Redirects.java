package dev.statedoses.source;

import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a redirect (3xx) stands as the upstream's answer: the sources' client follows 301, 302, 303,
 * 307 and 308 to another http or https URL (not from https to http), up to its limit
 * (jdk.httpclient.redirects.retrylimit), and nothing else. Such an answer has no file to load,
 * and a second try meets the same: the refresh fails (502) saying which redirect it was and where
 * it pointed, a secret in its query hidden. The bare "upstream answered HTTP 302" said nothing of
 * a Location to ftp:, a loop, or none at all.
 */
final class Redirects {

    private Redirects() {
    }

    /** Whether {@code status} is a redirect that is not a 304 (which says the kept copy is current). */
    static boolean isRedirect(int status) {
        return status >= 300 && status <= 399 && status != 304;
    }

    /**
     * The message of a redirect answer: {@code status} from {@code answeredBy} (the URL asked last,
     * which a relative Location is read against), with its {@code location} header if any, after
     * {@code followed} redirects the client did follow.
     */
    static String notFollowed(int status, URI answeredBy, Optional<String> location, int followed) {
        String answered = "upstream answered HTTP " + status + (followed > 0 ? " after " + followed + " redirect"
            + (followed == 1 ? "" : "s") : "");
        if (status == 300 || status == 305 || status == 306 || status > 308) {
            return answered + ", a redirect of a kind that is not followed (" + kind(status) + "): point the "
                + "source's URL at the file itself";
        }
        if (location.isEmpty() || location.get().isBlank()) {
            return answered + ", a redirect without a Location to follow";
        }
        URI target;
        try {
            target = answeredBy.resolve(location.get().strip());
        } catch (IllegalArgumentException e) {
            return answered + ", a redirect to something that is not a URL (" + shown(location.get()) + ")";
        }
        String to = Redaction.url(target);
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return answered + ", a redirect to " + Printable.shorten(to, 200) + ", which is not followed: only "
                + "http and https URLs are";
        }
        if (scheme.equals("http") && "https".equalsIgnoreCase(answeredBy.getScheme())) {
            return answered + ", a redirect from https to " + Printable.shorten(to, 200) + ", which is not "
                + "followed: it would fetch the file unencrypted";
        }
        // A redirect the client follows, to a URL it follows to, stands only past the client's
        // limit on redirects.
        return answered + ", the last to " + Printable.shorten(to, 200) + ": the client follows no more, so they "
            + "go round in a loop, or more than a source needs";
    }

    private static String kind(int status) {
        return switch (status) {
            case 300 -> "Multiple Choices";
            case 305 -> "Use Proxy";
            case 306 -> "unused";
            default -> "not a redirect HTTP defines";
        };
    }

    /** A Location that is no URL, shown as text (a secret in it hidden where it can be found). */
    private static String shown(String location) {
        return Printable.shorten(Redaction.inText(location.strip()), 200);
    }
}
