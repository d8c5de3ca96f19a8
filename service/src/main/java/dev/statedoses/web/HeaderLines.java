package dev.statedoses.web;

import io.javalin.http.Context;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;

/**
 * A request header read as RFC 9110 (section 5.3) says: every line of it, in order, joined by
 * commas into one value. For a list-valued field (Accept, If-None-Match, Prefer, ...) the lines
 * {@code Accept: text/html} and {@code Accept: text/csv} mean {@code Accept: text/html, text/csv};
 * {@code ctx.header(name)} and {@code HttpFields.get(name)} give the first line alone. For a
 * field that takes one value (If-Modified-Since), two lines joined are not one value, and the
 * reader ignores them as it ignores any invalid value.
 *
 * <p>Every request header the service reads goes through here, both ways of answering alike (a
 * Javalin route, the snapshot's fast path in Jetty). Those that say who asks take one value, so
 * two lines of them are refused as no value: Authorization (401), and a write's Origin and
 * Sec-Fetch-Site (403). Jetty refuses two Host lines itself (400). A read's Origin on two lines is
 * no listed origin either, so its answer names none (the first line alone once named it).
 */
public final class HeaderLines {

    private HeaderLines() {
    }

    /** Every line of the request header {@code name}, joined; null when the request has none. */
    public static String joined(Context ctx, String name) {
        Enumeration<String> lines = ctx.req().getHeaders(name);
        return lines == null ? null : joined(Collections.list(lines));
    }

    /** Every line of header {@code name}, in order; empty for none. */
    public static List<String> all(Context ctx, String name) {
        Enumeration<String> lines = ctx.req().getHeaders(name);
        return lines == null ? List.of() : Collections.list(lines);
    }

    /** The same, from Jetty's fields (for handlers in front of Javalin). */
    public static String joined(HttpFields fields, String name) {
        return joined(fields.getValuesList(name));
    }

    /** {@code lines} in order, joined by {@code ", "}; null for none. */
    public static String joined(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return null;
        }
        return lines.size() == 1 ? lines.get(0) : String.join(", ", lines);
    }
}
