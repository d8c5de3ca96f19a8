package dev.statedoses.web;

import dev.statedoses.text.PercentDecoding;
import dev.statedoses.text.Printable;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A request's query string, read strictly against the parameters its endpoint takes: every
 * endpoint of the data API reads its query here, and nowhere else.
 *
 * <p>Javalin's own reading is lenient in ways that answer the wrong data with a 200: a value whose
 * percent-encoding it cannot decode is dropped as if never sent ({@code as_of=2021-01-31%}
 * answered today's totals), a repeated parameter is read by its first value, and a parameter no
 * endpoint reads is ignored ({@code /ratios/weekly?as_of=…} answered every week). Each of these is
 * a 400 problem here, naming the parameter:
 * <ul>
 *   <li>a malformed percent-encoding (a {@code %} without two hex digits after it, or escapes that
 *       are not UTF-8, overlong forms included), in a name or a value: {@code /problems/http-400},
 *       as Jetty answers one in the path;</li>
 *   <li>a parameter the endpoint does not take: {@code /problems/unknown-parameter}, with the
 *       ones it takes, and "did you mean" when only the case differs (names are case-sensitive);</li>
 *   <li>a parameter given more than once that is read once: the parameter's own problem type, as
 *       for a wrong value of it.</li>
 * </ul>
 * A {@code +} is a space, as in any form-encoded query (and as Javalin read it); an empty piece
 * ({@code a=1&&b=2}, a trailing {@code &}) is no parameter.
 */
public final class StrictQuery {

    private final Map<String, List<String>> values;

    private StrictQuery(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The query of {@code ctx}, read against {@code takes}; a 400 problem for anything else. */
    public static StrictQuery read(Context ctx, QueryParameter... takes) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        // A HEAD is its GET without the body: named as the GET, so that its problem, and the
        // Content-Length HEAD sends for it, are the GET's.
        String method = ctx.method() == HandlerType.HEAD ? HandlerType.GET.name() : ctx.method().name();
        String label = method + " " + (endpoint == null ? ctx.path() : endpoint.path);
        return parse(ctx.queryString(), label, List.of(takes));
    }

    /** {@code raw}, the query as sent (null: none), read against {@code takes}; {@code endpoint} names it in details. */
    static StrictQuery parse(String raw, String endpoint, List<QueryParameter> takes) {
        List<String[]> pairs = decoded(raw);
        Map<String, QueryParameter> byName = new LinkedHashMap<>();
        takes.forEach(p -> byName.put(p.name(), p));
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String[] pair : pairs) {
            if (!byName.containsKey(pair[0])) {
                throw unknown(pair[0], endpoint, takes);
            }
            values.computeIfAbsent(pair[0], name -> new ArrayList<>()).add(pair[1]);
        }
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            QueryParameter parameter = byName.get(entry.getKey());
            int times = entry.getValue().size();
            if (times > 1 && !parameter.repeatable()) {
                throw parameter.invalid(parameter.name() + " is given " + times + " times: give it once, "
                    + parameter.oneValue());
            }
        }
        return new StrictQuery(values);
    }

    /** The one value of {@code name}, or null when it is absent. */
    public String one(String name) {
        List<String> given = values.get(name);
        return given == null ? null : given.get(0);
    }

    /** Every value of {@code name}, in the order given; empty when it is absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** Whether the query gives {@code name}. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The (name, value) pairs of {@code raw}, decoded; a 400 at the first malformed percent-encoding. */
    private static List<String[]> decoded(String raw) {
        List<String[]> pairs = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return pairs;
        }
        for (String piece : raw.split("&", -1)) {
            if (piece.isEmpty()) {
                continue;
            }
            int equals = piece.indexOf('=');
            String rawName = equals < 0 ? piece : piece.substring(0, equals);
            String rawValue = equals < 0 ? "" : piece.substring(equals + 1);
            String name;
            try {
                name = PercentDecoding.decode(rawName, true);
            } catch (PercentDecoding.Malformed e) {
                throw malformed("the parameter name '" + Printable.shorten(rawName, 40) + "'", e);
            }
            try {
                pairs.add(new String[] {name, PercentDecoding.decode(rawValue, true)});
            } catch (PercentDecoding.Malformed e) {
                throw malformed("the value of " + Printable.shorten(name, 40) + ", '"
                    + Printable.shorten(rawValue, 40) + "',", e);
            }
        }
        return pairs;
    }

    private static ProblemException malformed(String what, PercentDecoding.Malformed e) {
        return new ProblemException(Problem.of(400, "http-400", "Bad Request",
            what + " is not percent-encoded correctly: " + e.reason()));
    }

    private static ProblemException unknown(String name, String endpoint, List<QueryParameter> takes) {
        String shown = Printable.shorten(name, 40);
        String suggestion = takes.stream().map(QueryParameter::name)
            .filter(taken -> taken.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
            .findFirst().map(taken -> " (names are case-sensitive: did you mean " + taken + "?)").orElse("");
        String taken = takes.isEmpty() ? "it takes no query parameters"
            : "it takes " + takes.stream().map(QueryParameter::name).collect(Collectors.joining(", "));
        return new ProblemException(Problem.of(400, "unknown-parameter", "Unknown parameter",
            endpoint + " does not take the parameter '" + shown + "'" + suggestion + "; " + taken));
    }
}
