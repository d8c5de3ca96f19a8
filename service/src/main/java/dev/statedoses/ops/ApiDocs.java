package dev.statedoses.ops;

import dev.statedoses.util.Resources;
import dev.statedoses.web.StaticFiles;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * The API contract and its reference: {@code GET /openapi.yaml} serves the repository's
 * openapi.yaml (copied into the jar at build time, to {@code /openapi/}) byte for byte;
 * {@code GET /docs} renders it with Swagger UI, whose files come from the swagger-ui webjar in this
 * jar, under {@code /docs/assets/}. The page loads nothing from another host, and says so in its
 * Content-Security-Policy. Each file is read from the jar on its first request.
 */
public final class ApiDocs {

    /** Only 'self': no CDN, no inline script; images may be data: URIs (Swagger UI's icons). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String WEBJAR_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private static final Map.Entry<String, String> POLICY = Map.entry("Content-Security-Policy", CONTENT_SECURITY_POLICY);

    private final StaticFiles contract = new StaticFiles("/", List.of(Map.entry("Cache-Control", "no-cache")), false,
        () -> StaticFiles.in("/openapi/", "openapi.yaml"));
    private final StaticFiles page = new StaticFiles("/", List.of(POLICY, Map.entry("Cache-Control", "no-cache")), false,
        () -> StaticFiles.in("/ops/", "docs.html"));
    /** An allowlist: only the files the page uses (and the bundle's licence notices). */
    private final StaticFiles assets = new StaticFiles("/docs/assets/",
        List.of(POLICY, Map.entry("Cache-Control", "public, max-age=3600")), false, ApiDocs::assets);

    ApiDocs() {
    }

    public void contract(Context ctx) {
        contract.send(ctx, "openapi.yaml");
    }

    public void page(Context ctx) {
        page.send(ctx, "docs.html");
    }

    public void asset(Context ctx) {
        assets.send(ctx, ctx.pathParam("file"));
    }

    private static Map<String, String> assets() {
        Map<String, String> places = StaticFiles.in("/META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/",
            "index.css", "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-bundle.js.LICENSE.txt",
            "favicon-16x16.png", "favicon-32x32.png");
        places.put("docs.js", "/ops/docs.js");
        return places;
    }

    private static String webjarVersion() {
        return Resources.find(WEBJAR_POM).map(Resources::properties)
            .orElseThrow(() -> new IllegalStateException("the swagger-ui webjar is not on the classpath (" + WEBJAR_POM + ")"))
            .getProperty("version");
    }
}
