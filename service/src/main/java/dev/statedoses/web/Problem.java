package dev.statedoses.web;

import dev.statedoses.text.Printable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem detail: the one shape every error of the API has. {@code type} names the
 * kind of problem (documented in docs/failures.md, "Problems", and openapi.yaml); extensions add our own fields,
 * such as the {@code source}, {@code url}, {@code line} and {@code column} of a refresh error.
 *
 * <p>Every problem the API answers is made here, so this is where its text is made safe: the
 * title, the detail and every string-valued extension have their control characters escaped
 * ({@link Printable#escape}), whatever produced them (a controller quoting a parameter, a
 * source's header, Javalin's or Jetty's own message). A client, the dashboard, or a log that
 * quotes the detail never gets a line break or a NUL from it.
 */
public record Problem(String type, String title, int status, String detail, Map<String, Object> extensions) {

    /**
     * As every problem is sent, by the routes and by Jetty's error handler alike. The charset is
     * what Jetty's servlet layer adds to a type it does not know as UTF-8 by itself; saying it here
     * too keeps the two ways of answering a problem byte for byte the same.
     */
    public static final String CONTENT_TYPE = "application/problem+json;charset=utf-8";

    public Problem {
        title = Printable.escape(title);
        detail = Printable.escape(detail);
        extensions = escaped(extensions);
    }

    public static Problem of(int status, String type, String title, String detail) {
        return new Problem("/problems/" + type, title, status, detail, Map.of());
    }

    /** A copy with one more extension field; null values are left out. */
    public Problem with(String name, Object value) {
        if (value == null) {
            return this;
        }
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(name, value);
        return new Problem(type, title, status, detail, more);
    }

    /** The JSON body: the standard members first, then ours. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.putAll(extensions);
        return body;
    }

    /** The extensions, in their order, with string values escaped; unmodifiable. */
    private static Map<String, Object> escaped(Map<String, Object> extensions) {
        Map<String, Object> out = new LinkedHashMap<>(extensions);
        out.replaceAll((name, value) -> value instanceof String text ? Printable.escape(text) : value);
        return Collections.unmodifiableMap(out);
    }
}
