package dev.statedoses.web;

import dev.statedoses.util.Resources;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A set of files of this jar, served as they are under names of their own (the dashboard's, the
 * API reference's). An allowlist: a name not in the set is a 404, so no other file of the jar can
 * be asked for. Each file goes with the Content-Type of its extension; every file of the set with
 * the same headers (a Content-Security-Policy, a Cache-Control) and, for a set that is
 * revalidated, a strong ETag from the file's bytes and a 304 for a client that has them. The files
 * are read on the set's first request, then kept: nothing of this is start-up work.
 *
 * <p>Javalin's static files (7.2) would not keep this: its ETag is weak, made of the file's time
 * and length, and a 304 needs an If-None-Match equal to it (no list, no {@code *}); a file it
 * serves matches no route, so the request log and metrics would name it "unmatched", not its
 * route; and it would take any file under its directory unless told to skip the rest.
 */
public final class StaticFiles {

    private static final Map<String, String> CONTENT_TYPES = Map.of(
        "html", "text/html; charset=utf-8",
        "css", "text/css; charset=utf-8",
        "js", "text/javascript; charset=utf-8",
        "txt", "text/plain; charset=utf-8",
        "svg", "image/svg+xml",
        "png", "image/png",
        "yaml", "application/yaml");

    private record File(byte[] bytes, String contentType, String etag) {
    }

    private final String under;
    private final List<Map.Entry<String, String>> headers;
    private final boolean revalidated;
    private final Supplier<Map<String, String>> places;
    private volatile Map<String, File> files;

    /**
     * @param under       the URL path the names are under, for a 404's detail
     * @param headers     sent with every file, in this order
     * @param revalidated whether each file goes with its ETag, and If-None-Match gets a 304
     * @param places      each name's place in the jar (a resource path from the root), asked once
     */
    public StaticFiles(String under, List<Map.Entry<String, String>> headers, boolean revalidated,
                       Supplier<Map<String, String>> places) {
        this.under = under;
        this.headers = List.copyOf(headers);
        this.revalidated = revalidated;
        this.places = places;
    }

    /** The places of {@code names}, all in the jar's {@code directory} (ending in /). */
    public static Map<String, String> in(String directory, String... names) {
        Map<String, String> places = new HashMap<>();
        for (String name : names) {
            places.put(name, directory + name);
        }
        return places;
    }

    /** Sends the file {@code name}, or a 404 when the set has none of that name. */
    public void send(Context ctx, String name) {
        File file = files().get(name);
        if (file == null) {
            throw new NotFoundResponse("No such file under " + under);
        }
        headers.forEach(header -> ctx.header(header.getKey(), header.getValue()));
        // A 304 carries the Content-Type too: a cache refreshing its stored headers from it must
        // not relabel the file (Javalin's default, text/plain, would).
        ctx.contentType(file.contentType());
        if (revalidated) {
            ctx.header("ETag", file.etag());
            String ifNoneMatch = HeaderLines.joined(ctx, "If-None-Match");
            if (ifNoneMatch != null && EntityTag.matches(ifNoneMatch, file.etag())) {
                ctx.status(304);
                return;
            }
        }
        ctx.header("Content-Length", Integer.toString(file.bytes().length)); // HEAD says it too
        ctx.result(file.bytes());
    }

    private Map<String, File> files() {
        Map<String, File> loaded = files;
        if (loaded == null) {
            synchronized (this) {
                if (files == null) {
                    Map<String, File> read = new HashMap<>();
                    places.get().forEach((name, place) -> read.put(name, read(place)));
                    files = Map.copyOf(read);
                }
                loaded = files;
            }
        }
        return loaded;
    }

    private static File read(String place) {
        String type = CONTENT_TYPES.get(place.substring(place.lastIndexOf('.') + 1));
        if (type == null) {
            throw new IllegalStateException("no Content-Type for " + place);
        }
        byte[] bytes = Resources.find(place).orElseThrow(() -> new IllegalStateException("missing from the jar: " + place));
        return new File(bytes, type, EntityTag.of(bytes));
    }
}
