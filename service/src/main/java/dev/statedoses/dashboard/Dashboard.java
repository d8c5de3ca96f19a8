package dev.statedoses.dashboard;

import dev.statedoses.product.ProductResponse;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    private record Served(byte[] bytes, String contentType, String etag) {
    }

    private static final Served PAGE = load("index.html", "text/html; charset=utf-8");

    /** The allowlist of {@code /dashboard/{file}}. */
    private static final Map<String, Served> ASSETS = Map.of(
        "dashboard.css", load("dashboard.css", "text/css; charset=utf-8"),
        "dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"),
        "trend.js", load("trend.js", "text/javascript; charset=utf-8"),
        "icon.svg", load("icon.svg", "image/svg+xml"));

    private Dashboard() {
    }

    /** {@code GET /}: the page. */
    public static void page(Context ctx) {
        send(ctx, PAGE);
    }

    /** {@code GET /dashboard/{file}}: one of the page's files, or 404. */
    public static void asset(Context ctx) {
        Served file = ASSETS.get(ctx.pathParam("file"));
        if (file == null) {
            throw new NotFoundResponse("No such file under /dashboard/");
        }
        send(ctx, file);
    }

    /**
     * Sends a file with its ETag. no-cache: a browser asks again each time, so a new version of the
     * service never runs an old script, and gets a 304 when nothing changed.
     */
    private static void send(Context ctx, Served file) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", file.etag());
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null && ProductResponse.matches(ifNoneMatch, file.etag())) {
            ctx.status(304);
            return;
        }
        ctx.contentType(file.contentType());
        ctx.result(file.bytes());
    }


    private static Served load(String name, String contentType) {
        String path = "/dashboard/" + name;
        try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + path);
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                .substring(0, 32) + "\"";
            return new Served(bytes, contentType, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
