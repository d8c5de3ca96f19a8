package dev.statedoses.ops;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The API contract and its reference: {@code GET /openapi.yaml} serves the repository's
 * openapi.yaml (copied into the jar at build time) byte for byte; {@code GET /docs} renders it
 * with Swagger UI, whose files come from the swagger-ui webjar in this jar, under
 * {@code /docs/assets/}. The page loads nothing from another host, and says so in its
 * Content-Security-Policy.
 */
public final class ApiDocs {

    static final String YAML = "application/yaml";

    /** Only 'self': no CDN, no inline script; images may be data: URIs (Swagger UI's icons). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String WEBJAR_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private record Asset(byte[] bytes, String contentType) {
    }

    /** The files, read from the jar on the first request for one: nothing of this is start-up work. */
    private volatile Files files;

    private record Files(byte[] contract, byte[] page, Map<String, Asset> assets) {
    }

    private Files files() {
        Files loaded = files;
        if (loaded == null) {
            synchronized (this) {
                if (files == null) {
                    files = load();
                }
                loaded = files;
            }
        }
        return loaded;
    }

    private static Files load() {
        byte[] contract = resource("/openapi/openapi.yaml");
        byte[] page = resource("/ops/docs.html");
        Map<String, Asset> assets = new LinkedHashMap<>();
        String swaggerUi = "/META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";
        // An allowlist: only the files the page uses (and the bundle's licence notices).
        for (String css : new String[] {"index.css", "swagger-ui.css"}) {
            assets.put(css, new Asset(resource(swaggerUi + css), "text/css; charset=utf-8"));
        }
        assets.put("swagger-ui-bundle.js",
            new Asset(resource(swaggerUi + "swagger-ui-bundle.js"), "text/javascript; charset=utf-8"));
        assets.put("swagger-ui-bundle.js.LICENSE.txt",
            new Asset(resource(swaggerUi + "swagger-ui-bundle.js.LICENSE.txt"), "text/plain; charset=utf-8"));
        for (String png : new String[] {"favicon-16x16.png", "favicon-32x32.png"}) {
            assets.put(png, new Asset(resource(swaggerUi + png), "image/png"));
        }
        assets.put("docs.js", new Asset(resource("/ops/docs.js"), "text/javascript; charset=utf-8"));
        return new Files(contract, page, Map.copyOf(assets));
    }

    public void contract(Context ctx) {
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(YAML);
        ctx.result(files().contract());
    }

    public void page(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("text/html; charset=utf-8");
        ctx.result(files().page());
    }

    public void asset(Context ctx) {
        Asset asset = files().assets().get(ctx.pathParam("file"));
        if (asset == null) {
            throw new NotFoundResponse("No such file under /docs/assets/");
        }
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.contentType(asset.contentType());
        ctx.result(asset.bytes());
    }

    private static String webjarVersion() {
        Properties pom = new Properties();
        try (InputStream in = ApiDocs.class.getResourceAsStream(WEBJAR_POM)) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is not on the classpath (" + WEBJAR_POM + ")");
            }
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static byte[] resource(String name) {
        try (InputStream in = ApiDocs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + name
                    + (name.startsWith("/openapi/") ? " (the build copies ../openapi.yaml there)" : ""));
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
