package dev.statedoses.web;

import dev.statedoses.text.Printable;
import io.javalin.http.Context;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the API from a page of another origin (CORS), and how browsers are told.
 *
 * <p>Reads are open: a dashboard on another origin (Grafana in the browser, a notebook, a static
 * page) may {@code GET} and {@code HEAD} the read routes App shares, when its origin is one of
 * {@code CORS_ORIGINS} ({@code *} by default: the data is public), and may read their
 * {@code ETag} and {@code Last-Modified}. Preflights ({@code OPTIONS}) of those routes are answered
 * for {@code GET} and {@code HEAD} only. No credentials: the API has no cookies to send.
 *
 * <p>Writes are never open to other origins. {@code POST /refresh} needs no preflight when it
 * carries no token (a "simple" request), so a browser would send it from any page; a request
 * that a browser marks as coming from another origin is refused (403) before it runs.
 */
public final class CrossOrigin {

    private static final Logger LOG = LoggerFactory.getLogger(CrossOrigin.class);

    /** The headers a page of another origin may read besides the CORS-safelisted ones. */
    static final String EXPOSED = "ETag, Last-Modified, Retry-After";
    /** How long a browser may keep a preflight's answer. */
    static final String MAX_AGE_SECONDS = "600";
    private static final String READ_METHODS = "GET, HEAD";
    private static final String ALLOW = "GET, HEAD, OPTIONS";
    /** A field name (RFC 9110 5.1: a token). */
    private static final Pattern FIELD_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String APPLIED = CrossOrigin.class.getName();

    /** Empty: any origin. */
    private final List<String> origins;

    private CrossOrigin(List<String> origins) {
        this.origins = origins;
    }

    /** {@code origins} as Config reads CORS_ORIGINS: {@code ["*"]}, or origins in lower case. */
    public static CrossOrigin allowing(List<String> origins) {
        return new CrossOrigin(origins.contains("*") ? List.of() : List.copyOf(origins));
    }

    /**
     * The CORS headers of a read (GET or HEAD of a shared route), for a request from
     * {@code origin} (null: none sent), handed to {@code add}. With any origin allowed the answer is
     * the same for every request; with a list, it depends on the Origin, and says so (Vary).
     */
    public void readHeaders(String origin, BiConsumer<String, String> add) {
        if (origins.isEmpty()) {
            add.accept("Access-Control-Allow-Origin", "*");
            add.accept("Access-Control-Expose-Headers", EXPOSED);
            return;
        }
        add.accept("Vary", "Origin");
        if (allowed(origin)) {
            add.accept("Access-Control-Allow-Origin", origin);
            add.accept("Access-Control-Expose-Headers", EXPOSED);
        }
    }

    /** After a shared route's handler: its GET and HEAD answers (errors too) may be read across origins. */
    public void allowRead(Context ctx) {
        String method = ctx.method().name();
        // Once, though more than one shared path may match (/ratios/weekly and /ratios/{state}).
        if ((method.equals("GET") || method.equals("HEAD")) && ctx.attribute(APPLIED) == null) {
            ctx.attribute(APPLIED, Boolean.TRUE);
            readHeaders(HeaderLines.joined(ctx, "Origin"), ctx.res()::addHeader);
        }
    }

    /**
     * OPTIONS of a shared route. A preflight (Origin and Access-Control-Request-Method) from an
     * allowed origin for GET or HEAD is answered 204 with the CORS headers; any other preflight is
     * refused (403), so the browser does not send the request. A plain OPTIONS says what the path
     * takes.
     */
    public void preflight(Context ctx) {
        ctx.header("Allow", ALLOW);
        String origin = HeaderLines.joined(ctx, "Origin");
        String method = ctx.header("Access-Control-Request-Method");
        if (origin == null || method == null) {
            ctx.status(204);
            return;
        }
        if (!origins.isEmpty()) {
            ctx.header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        }
        if (!allowed(origin)) {
            // Not the list itself: a page of any origin can ask, and the answer named the
            // deployment's own origins (an internal Grafana's, a developer's localhost) to it.
            LOG.debug("preflight from {} refused: CORS_ORIGINS allows {}", quoted(origin), String.join(", ", origins));
            throw refused("Pages of " + quoted(origin) + " may not read this API: the origin is not among "
                + "CORS_ORIGINS");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw refused(quoted(method) + " " + ctx.path() + " is not open to pages of other origins: "
                + "only GET and HEAD are");
        }
        ctx.header("Access-Control-Allow-Origin", origins.isEmpty() ? "*" : origin);
        ctx.header("Access-Control-Allow-Methods", READ_METHODS);
        // Any header a read may carry (If-None-Match, a BI tool's own): without credentials, a
        // request header cannot make a read do anything but read.
        String headers = requestedHeaders(HeaderLines.joined(ctx, "Access-Control-Request-Headers"));
        if (headers != null) {
            ctx.header("Access-Control-Allow-Headers", headers);
        }
        ctx.header("Access-Control-Max-Age", MAX_AGE_SECONDS);
        ctx.status(204);
    }

    /**
     * The field names a preflight's Access-Control-Request-Headers lists, in lower case, joined by
     * {@code ", "}; null when it lists none, or something that is no field name. Empty elements
     * ({@code If-None-Match,}) are skipped, as RFC 9110 (5.6.1) asks of a list's recipient: a list
     * with one once lost the whole header, and the browser's request with it.
     */
    static String requestedHeaders(String list) {
        if (list == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String element : list.split(",", -1)) {
            String name = element.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!FIELD_NAME.matcher(name).matches()) {
                return null;
            }
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return names.isEmpty() ? null : String.join(", ", names);
    }

    /**
     * Before a write: refuses (403) a request a browser sent from a page of another origin. The
     * browser's Sec-Fetch-Site says so when present (a proxy that rewrites Host cannot fool it);
     * otherwise an Origin that is not this service's Host does. Programs (curl, a scheduler)
     * send neither, and go on.
     */
    public void refuseOtherOrigins(Context ctx) {
        // Every line of each (HeaderLines): a second Origin or Sec-Fetch-Site line makes no
        // origin, and the write is refused, whichever line a proxy or a client put first.
        String site = HeaderLines.joined(ctx, "Sec-Fetch-Site");
        String origin = HeaderLines.joined(ctx, "Origin");
        boolean other = site != null
            ? !site.equals("same-origin") && !site.equals("none")
            : origin != null && !sameAuthority(origin, ctx.header("Host"));
        if (other) {
            throw refused(ctx.method().name() + " " + ctx.path() + " is not open to pages of other origins"
                + (origin == null ? "" : " (this request came from " + quoted(origin) + ")")
                + ": run it from this service's own page, or from a program such as curl");
        }
    }

    private boolean allowed(String origin) {
        return origin != null && (origins.isEmpty() || origins.contains(origin.toLowerCase(Locale.ROOT)));
    }

    private static boolean sameAuthority(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String quoted(String value) {
        return "'" + Printable.shorten(value, 100) + "'";
    }

    private static ProblemException refused(String detail) {
        return new ProblemException(Problem.of(403, "cross-origin-refused", "Cross-origin request refused", detail));
    }
}
