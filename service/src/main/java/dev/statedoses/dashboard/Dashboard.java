package dev.statedoses.dashboard;

import dev.statedoses.web.StaticFiles;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * The dashboard: {@code GET /} is one HTML page, and {@code GET /dashboard/{file}} its scripts,
 * styles and icon, all read from {@code dashboard/} in this jar (an allowlist: no other file can be
 * asked for). The page draws itself from the JSON API on the same origin ({@code /ratios},
 * {@code /ratios/{state}/weekly}, {@code /refreshes}, {@code /health}, {@code POST /refresh}); it
 * loads nothing from another host, and its Content-Security-Policy allows only 'self' (so no
 * inline script or style).
 */
public final class Dashboard {

    /** Only this origin: scripts, styles, images and fetches; no inline code, no frames, no plugins. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; "
        + "form-action 'none'; frame-ancestors 'none'";

    /**
     * Every file with its ETag, and no-cache: a browser asks again each time, so a new version of
     * the service never runs an old script, and gets a 304 when nothing changed.
     */
    private static final List<Map.Entry<String, String>> HEADERS = List.of(
        Map.entry("Content-Security-Policy", CONTENT_SECURITY_POLICY), Map.entry("Cache-Control", "no-cache"));

    private static final StaticFiles PAGE = new StaticFiles("/", HEADERS, true,
        () -> StaticFiles.in("/dashboard/", "index.html"));

    /** The allowlist of {@code /dashboard/{file}}. */
    private static final StaticFiles FILES = new StaticFiles("/dashboard/", HEADERS, true,
        () -> StaticFiles.in("/dashboard/", "dashboard.css", "shared.js", "dashboard.js", "trend.js", "icon.svg"));

    private Dashboard() {
    }

    /** {@code GET /}: the page. */
    public static void page(Context ctx) {
        PAGE.send(ctx, "index.html");
    }

    /** {@code GET /dashboard/{file}}: one of the page's files, or 404. */
    public static void asset(Context ctx) {
        FILES.send(ctx, ctx.pathParam("file"));
    }
}
