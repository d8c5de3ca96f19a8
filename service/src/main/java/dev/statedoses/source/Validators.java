package dev.statedoses.source;

import dev.statedoses.util.HttpDate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a 304 speaks of the version a conditional request asked about. A 304 is "what you have
 * is current"; one that names another version (an ETag other than the one sent in If-None-Match,
 * a Last-Modified other than the one sent in If-Modified-Since) contradicts itself, as a cache or
 * replica a step behind, or a broken one, may answer. Only a 304 that agrees is taken as unchanged.
 */
final class Validators {

    private Validators() {
    }

    /**
     * What in a 304's validators ({@code etags}, {@code lastModifieds}: each header's values, none
     * when it sent none) names another version than {@code asked}, in words; null when nothing
     * does. A validator we did not send cannot be compared, and is not taken for either. A header
     * given twice is compared value by value: a 304 that names our version and another as well
     * does not say which it speaks of, and is not taken as unchanged.
     */
    static String otherVersion(KnownSource asked, List<String> etags, List<String> lastModifieds) {
        for (String etag : asked.etag() == null ? List.<String>of() : etags) {
            if (!weaklyEqual(etag, asked.etag())) {
                return "ETag " + etag + ", not the " + asked.etag() + " asked about";
            }
        }
        for (String date : asked.lastModified() == null ? List.<String>of() : lastModifieds) {
            if (!sameDate(date, asked.lastModified())) {
                return "Last-Modified " + date + ", not the " + asked.lastModified() + " asked about";
            }
        }
        return null;
    }

    /**
     * The one value of a header that must have one ({@code ETag}, {@code Last-Modified},
     * {@code Date}: RFC 9110 defines each as a single value), from its lines in an answer; null
     * when it is absent, or given more than once with different values (a proxy that added its
     * own, say): which of them belongs to the body cannot be told, so none is kept or sent back,
     * and the next fetch lets the hash of the bytes decide.
     */
    static String single(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        String first = values.get(0).strip();
        for (String value : values) {
            if (!value.strip().equals(first)) {
                return null;
            }
        }
        return first;
    }

    /**
     * {@code lastModified} when it can tell versions apart, else null: RFC 9110 (8.8.2.2) deems a
     * Last-Modified strong only when the answer's {@code date} is at least a second after it.
     * Within the same second the file may change again with the same Last-Modified, and a later
     * If-Modified-Since would then be answered 304 over bytes we never had (seen with an upstream
     * that sends no ETag: a file rewritten in the second of its fetch stayed "unchanged" for good).
     * Without a Date, nothing can be deduced: not kept either.
     */
    static String usableLastModified(String lastModified, String date) {
        if (lastModified == null || date == null) {
            return null;
        }
        Optional<Instant> modified = HttpDate.parse(lastModified);
        Optional<Instant> answered = HttpDate.parse(date);
        if (modified.isEmpty() || answered.isEmpty()
                || answered.get().isBefore(modified.get().plusSeconds(1))) {
            return null;
        }
        return lastModified;
    }

    /**
     * {@code etag} when it is one entity-tag, which If-None-Match can send back exactly and which
     * names one version: {@code "x"} or {@code W/"x"}, its characters printable ASCII other than
     * the quote (RFC 9110, 8.8.3), else null. {@code *} is not one (sent back, it asks whether any
     * version exists, and an upstream rightly answers 304 to every change after), nor is a list
     * ({@code "a", "b"} matches more than the bytes we have), an unquoted word, or a tag with
     * characters beyond ASCII (the HTTP client sends them as {@code ?}, not as recorded). Without
     * it, the next fetch asks by date alone, or fetches whole and compares the bytes' hash.
     */
    static String usableEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String tag = etag.strip();
        int open = tag.startsWith("W/") ? 2 : 0;
        if (tag.length() < open + 2 || tag.charAt(open) != '"' || tag.charAt(tag.length() - 1) != '"') {
            return null;
        }
        for (int i = open + 1; i < tag.length() - 1; i++) {
            char c = tag.charAt(i);
            if (c < 0x21 || c > 0x7E || c == '"') {
                return null;
            }
        }
        return tag;
    }

    /** RFC 9110, 8.8.3.2: If-None-Match compares weakly, so W/"x" and "x" are the same version. */
    private static boolean weaklyEqual(String a, String b) {
        return opaque(a).equals(opaque(b));
    }

    private static String opaque(String etag) {
        String tag = etag.strip();
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /**
     * The same instant, however written (any of the three forms of an HTTP date); text that is not
     * an HTTP date only as the same text. A
     * date older than the one asked about is another version too (a file put back), not only a newer.
     */
    private static boolean sameDate(String a, String b) {
        Optional<Instant> first = HttpDate.parse(a);
        Optional<Instant> second = HttpDate.parse(b);
        if (first.isPresent() && second.isPresent()) {
            return first.equals(second);
        }
        return a.strip().equals(b.strip());
    }
}
