package dev.statedoses.product;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /ratios/{state} under random and hostile keys: whatever arrives, the answer is never a
 * server error; an error is a problem detail (application/problem+json, nosniff, a {@code status}
 * equal to the HTTP status) that shows no Java internals; and a key that names a state (its USPS
 * code or its name, in any case, with surrounding whitespace) finds exactly that state.
 *
 * <p>The random part is seeded; the seed is in every failure message. Re-run a failing seed with
 * {@code -Dfuzz.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateParameterFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final int RANDOM_KEYS = 1500;
    /**
     * The random keys stop early, after at least {@link #MIN_RANDOM_KEYS}, when this is spent (a
     * request takes 5-15 ms on a busy two-core machine), so the class stays near 20 s. The keys
     * sent are always the start of the seed's sequence, so a seed reproduces.
     */
    private static final Duration RANDOM_BUDGET = Duration.ofSeconds(10);
    private static final int MIN_RANDOM_KEYS = 300;

    /** What an error body must never show: exception names, stack frames, Java packages. */
    private static final Pattern INTERNALS = Pattern.compile(
        "Exception|Throwable|\\bat dev\\.|\\.java:\\d|"
            + "\\b(java|javax|jakarta|jdk|sun|dev\\.statedoses|io\\.javalin|org\\.eclipse|org\\.jdbi|"
            + "org\\.postgresql|com\\.fasterxml|com\\.zaxxer|com\\.univocity)\\.[a-z]");

    private static final Pattern ASCII = Pattern.compile("\\p{ASCII}*");

    /** Characters that mean something to a URL, a path, SQL, a shell or a template. */
    private static final String[] NASTY_PIECES = {
        "%", "%2e", "%2E", "%2f", "%2F", "%5c", "%00", "%0a", "%0d", "%09", "%20", "%25", "%zz", "%c0%ae", "%ff",
        "..", ".", "/", "//", "\\", "'", "\"", ";", "*", "?", "#", "&", "=", "+", " ", "\t", "\n", "\r", "\u0000",
        "<", ">", "{", "}", "|", "^", "`", "~", "$", "@", "!", "(", ")", "[", "]", ",", ":", "_", "-", "--", "/*",
        "NY", "ny", "New", "York", "new york", "OR", " OR '1'='1", "' --", "union select", "${", "{state}",
    };

    private static final List<String> FIXED = List.of(
        // empty-ish
        "", " ", "   ", "\t", "\n", "\r\n", "\u0000", "%00", "%20", "%2520", ".", "..", "...",
        // paths
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..;/", "/", "//", "\\",
        "..\\..\\windows\\win.ini", "NY/", "/NY", "NY/..", "ratios", "%2F", "%252F",
        // a fragment and a query: sent raw, the client asks for /ratios/ (answered 200) or /ratios/NY
        "#9l+V/R&3FUMKTvZoK", "#", "?x/y", "NY#x/y",
        // very long
        "a".repeat(5000), "N".repeat(41), "New York".repeat(625), "\u00e9".repeat(5000), "1".repeat(5000),
        "%".repeat(5000), "\uD83D\uDE00".repeat(2500),
        // unicode and emoji
        "\u00d1ew York", "Nueva York", "\u65e5\u672c", "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1", "\uD83D\uDE00",
        "NY\uD83D\uDE00", "\uD83C\uDDFA\uD83C\uDDF8", "\u202eKROY WEN", "N\u0301Y", "\uFEFFNY", "\u00a0NY",
        "\u2003NY", "NY\u200b", "\uD800", "\uDFFF", "\uFFFF", "\u0130llinois", "ILL\u0130NO\u0130S",
        // SQL and templates
        "NY' OR '1'='1", "NY'--", "'; drop table dwh.state_doses; --", "NY\" OR \"1\"=\"1", "' OR 1=1 --",
        "NY%' OR '%'='", "${jndi:ldap://x/a}", "{{7*7}}", "<script>alert(1)</script>", "{state}",
        // wildcards and separators
        "%", "%%", "%zz", "%G1", "%1", "*", "%*", "_", "NY%", "N_", "N%", ";", "NY;", ";NY", "NY;jsessionid=1",
        "?", "#", "NY?x=1", "NY#x", "&", "=", "+", "NY+", "N.Y.", "N.Y", "D.C.", "Washington, D.C.",
        // newline and tab
        "NY\n", "NY\t", "\tNY", "NY\r\nX-Injected: 1", "New\tYork", "New\nYork",
        // New York variants
        "NY", "ny", "nY", "New York", "new york", "NEW YORK", "nEw YoRk", " New York ", "New  York", "NewYork",
        "New York City", "New York***", "New York*", "New+York", "New%20York", "New_York", "New-York",
        "New York.", "York", "NYC", "N Y",
        // other states and near misses
        "District of Columbia", "district of columbia", "DISTRICT OF COLUMBIA", "DC", "dc", "D C",
        "Alaska**", "Puerto Rico", "PR", "Guam", "Federal Entities", "Atlantis", "US", "USA",
        "null", "undefined", "0", "-1", "1e309", "NaN", "true", "[]", "{}");

    private FixtureServer upstream;
    private RunningApp app;
    /** State code by lower-cased code and by lower-cased name. */
    private final Map<String, String> codes = new HashMap<>();
    /** The keys of {@link #codes}, sorted, for the random keys to pick from in a fixed order. */
    private List<String> keys;

    @BeforeAll
    void refreshOnce() {
        upstream = FixtureServer.start();
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        app = RunningApp.start(config);
        app.given().post("/refresh").then().statusCode(200);
        List<Map<String, Object>> rows = app.given().get("/ratios").then().statusCode(200)
            .extract().jsonPath().getList("$");
        for (Map<String, Object> row : rows) {
            String code = (String) row.get("state_code");
            codes.put(code.toLowerCase(Locale.ROOT), code);
            codes.put(((String) row.get("state")).toLowerCase(Locale.ROOT), code);
        }
        assertEquals(102, codes.size(), "51 codes and 51 names");
        keys = codes.keySet().stream().sorted().toList();
    }

    @AfterAll
    void stop() {
        app.close();
        upstream.close();
    }

    @Test
    void validKeysAnswer200() {
        for (String key : List.of("NY", "ny", "new york", "New York", "District of Columbia", "dc", "wy")) {
            app.given().pathParam("state", key).get("/ratios/{state}").then()
                .statusCode(200).contentType("application/json")
                .body("state_code", equalTo(codes.get(key.toLowerCase(Locale.ROOT))));
        }
    }

    @Test
    void hostileKeysNeverBreakTheService() throws IOException {
        Fuzz fuzz = new Fuzz("fixed list");
        for (String value : FIXED) {
            fuzz.encoded(value);
            fuzz.raw(value);
        }
        // A request line over Jetty's limit, over a socket (so no client can drop the answer): a 414 problem.
        String huge = "\u00e9".repeat(5000);
        Answer tooLong = overSocket("/ratios/" + percentEncoded(huge));
        assertEquals(414, tooLong.status(), tooLong.toString());
        fuzz.check("socket", huge, tooLong, false);
        fuzz.assertClean();
        validKeysAnswer200();
    }

    @Test
    void randomKeysNeverBreakTheService() {
        Random random = new Random(SEED);
        Fuzz fuzz = new Fuzz("random keys");
        long deadline = System.nanoTime() + RANDOM_BUDGET.toNanos();
        for (int i = 0; i < RANDOM_KEYS && (i < MIN_RANDOM_KEYS || System.nanoTime() < deadline); i++) {
            String value = randomKey(random);
            if (random.nextInt(4) == 0) {
                fuzz.raw(value);
            } else {
                fuzz.encoded(value);
            }
        }
        fuzz.assertClean();
        validKeysAnswer200();
    }

    /** Sends keys and collects every broken answer, so one run reports them all. */
    private final class Fuzz {
        private final String what;
        private final List<String> failures = new ArrayList<>();
        private int sent;
        private int refusedByClient;
        private int resentOverSocket;
        private final List<String> refusedSamples = new ArrayList<>();

        Fuzz(String what) {
            this.what = what;
        }

        /** The key URL-encoded by rest-assured: the service sees exactly {@code value}. */
        void encoded(String value) {
            Answer answer;
            try {
                answer = Answer.of(value.contains("{") || value.contains("}")
                    // rest-assured reads braces in a path parameter's value as another parameter
                    // (and loops forever on "{state}"), so these we encode ourselves.
                    ? app.given().urlEncodingEnabled(false).get("/ratios/" + percentEncoded(value))
                    : app.given().pathParam("state", value).get("/ratios/{state}"));
            } catch (Exception e) { // rest-assured throws URISyntaxException undeclared
                answer = clientFailed("encoded", value, "/ratios/" + percentEncoded(value), e);
                if (answer == null) {
                    return;
                }
            }
            check("encoded", value, answer, true);
        }

        /** The key as it is, unencoded: percent-escapes, slashes and dots reach the server's URI parser. */
        void raw(String value) {
            if (value.contains("{") || value.contains("}")) {
                refused("raw", value, "braces");
                return;
            }
            Answer answer;
            try {
                answer = Answer.of(app.given().urlEncodingEnabled(false).pathParam("state", value).get("/ratios/{state}"));
            } catch (Exception e) { // rest-assured throws URISyntaxException undeclared
                answer = clientFailed("raw", value, "/ratios/" + value, e);
                if (answer == null) {
                    return;
                }
            }
            check("raw", value, answer, false);
        }

        /**
         * The client could not send it. An illegal URI is the client's business: counted, not
         * sent. A failed connection is the server hanging up, which is a failure, except on a
         * request line over Jetty's 8 KiB limit: Jetty answers 414 and closes while the client
         * is still writing, so the client sees a broken pipe. Those we send again over a plain
         * socket that reads the answer whatever happens to the write; returns that answer.
         */
        private Answer clientFailed(String how, String value, String path, Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof IOException) {
                    if (path.getBytes(StandardCharsets.UTF_8).length > 8 * 1024) {
                        try {
                            Answer answer = overSocket(path);
                            resentOverSocket++;
                            return answer;
                        } catch (IOException again) {
                            failures.add(how + " " + show(value) + ": no answer over a plain socket either: " + again);
                            return null;
                        }
                    }
                    failures.add(how + " " + show(value) + ": the connection failed: " + t);
                    return null;
                }
            }
            refused(how, value, e.getClass().getSimpleName());
            return null;
        }

        private void refused(String how, String value, String why) {
            refusedByClient++;
            if (refusedSamples.size() < 3) {
                refusedSamples.add(how + " " + show(value) + " (" + why + ")");
            }
        }

        private void check(String how, String value, Answer answer, boolean exact) {
            sent++;
            int status = answer.status();
            String body = answer.body();
            String where = how + " " + show(value) + " -> HTTP " + status + " " + abbreviate(body);
            if (status >= 500) {
                failures.add(where + ": a server error");
                return;
            }
            if (!"nosniff".equals(answer.nosniff())) {
                failures.add(where + ": no X-Content-Type-Options: nosniff");
            }
            if (status >= 400) {
                String type = answer.contentType();
                if (type == null || !type.startsWith("application/problem+json")) {
                    failures.add(where + ": content type " + type + ", not application/problem+json");
                }
                Object statusInBody;
                try {
                    statusInBody = JsonPath.from(body).get("status");
                } catch (RuntimeException e) {
                    failures.add(where + ": the body is not JSON");
                    return;
                }
                if (!Integer.valueOf(status).equals(statusInBody)) {
                    failures.add(where + ": \"status\" in the body is " + statusInBody);
                }
                if (INTERNALS.matcher(body).find()) {
                    failures.add(where + ": the body shows Java internals");
                }
            }
            if (!exact) {
                return;
            }
            // The service saw exactly the value: it must find the state it names, and only that.
            // A key names a state when, trimmed of whitespace and spaces of any kind (Unicode's
            // space separators, the no-break ones too), it is its code or name in ASCII, in any case.
            String key = value.replaceAll("^[\\s\\p{Z}\\x1c-\\x1f]+|[\\s\\p{Z}\\x1c-\\x1f]+$", "");
            String expected = ASCII.matcher(key).matches() ? codes.get(key.toLowerCase(Locale.ROOT)) : null;
            if (value.isEmpty() || value.equals(".") || value.equals("..")) {
                // Sent as "/ratios/", "/ratios/." or "/ratios/..": no key at all, but another path.
                return;
            }
            if (expected != null && status != 200) {
                failures.add(where + ": names " + expected + ", expected 200");
            } else if (status == 200) {
                Object code;
                try {
                    code = body.startsWith("{") ? JsonPath.from(body).get("state_code") : body;
                } catch (RuntimeException e) {
                    failures.add(where + ": the body is not JSON");
                    return;
                }
                if (expected == null || !expected.equals(code)) {
                    failures.add(where + ": answered " + code + ", expected " + (expected == null ? "an error" : expected));
                }
            }
        }

        void assertClean() {
            String summary = what + ", seed " + SEED + " (-Dfuzz.seed=" + SEED + "): " + sent + " answered, "
                + refusedByClient + " refused by the client " + refusedSamples + ", " + resentOverSocket
                + " oversized ones cut off by a broken pipe and sent again over a socket";
            System.out.println("StateParameterFuzzTest " + summary);
            assertTrue(failures.isEmpty(), summary + "; " + failures.size() + " broken answers:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
            assertTrue(sent > 0, summary);
        }
    }

    /** What the service answered: the parts the checks look at. */
    private record Answer(int status, String contentType, String nosniff, String body) {
        static Answer of(Response response) {
            return new Answer(response.statusCode(), response.contentType(),
                response.header("X-Content-Type-Options"), response.asString());
        }
    }

    /** Sends {@code GET path} over a plain socket (support/RawHttp) and reads the answer until the server closes. */
    private Answer overSocket(String path) throws IOException {
        RawHttp.Answer raw = RawHttp.to(app).get(path);
        return new Answer(raw.status(), raw.header("Content-Type"), raw.header("X-Content-Type-Options"), raw.body());
    }

    // --- random keys ----------------------------------------------------------------------------

    private String randomKey(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> randomChars(random, 0, 30, () -> (char) (0x20 + random.nextInt(0x5f)));
            case 1 -> randomChars(random, 1, 50, () -> "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .".charAt(random.nextInt(54)));
            case 2 -> mutateValidKey(random);
            case 3 -> randomCodePoints(random);
            case 4 -> {
                StringBuilder key = new StringBuilder();
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    key.append(NASTY_PIECES[random.nextInt(NASTY_PIECES.length)]);
                }
                yield key.toString();
            }
            case 5 -> {
                String unit = List.of("a", "N", "New York ", "%", "\u00e9", "\uD83D\uDE00", "%2e", ".").get(random.nextInt(8));
                yield unit.repeat(1 + (41 + random.nextInt(6000)) / unit.length());
            }
            case 6 -> {
                StringBuilder key = new StringBuilder();
                for (int n = 1 + random.nextInt(6); n > 0; n--) {
                    key.append('%').append("0123456789abcdefABCDEFgz%".charAt(random.nextInt(25)));
                    if (random.nextInt(5) > 0) {
                        key.append("0123456789abcdefABCDEFgz".charAt(random.nextInt(24)));
                    }
                    if (random.nextBoolean()) {
                        key.append("NY".charAt(random.nextInt(2)));
                    }
                }
                yield key.toString();
            }
            case 7 -> {
                // A real key with a hostile piece around it.
                String key = keys.get(random.nextInt(keys.size()));
                String piece = NASTY_PIECES[random.nextInt(NASTY_PIECES.length)];
                yield random.nextBoolean() ? key + piece : piece + key;
            }
            default -> {
                // Whitespace around a real key: trimmed, it still names the state (a no-break space
                // as well as an ideographic one); a zero-width space is no space, and is refused.
                String key = keys.get(random.nextInt(keys.size()));
                String[] spaces = {" ", "\t", "\n", "\r", "\u2003", "\u3000", "\u00a0", "\u200b", "\u000b",
                    "\u2007", "\u202f", "\u1680", "\u0085"};
                yield spaces[random.nextInt(spaces.length)] + key + spaces[random.nextInt(spaces.length)];
            }
        };
    }

    private String mutateValidKey(Random random) {
        String key = keys.get(random.nextInt(keys.size()));
        StringBuilder mutated = new StringBuilder();
        for (char c : key.toCharArray()) {
            mutated.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        switch (random.nextInt(4)) {
            case 0 -> mutated.insert(random.nextInt(mutated.length() + 1), (char) (0x20 + random.nextInt(0x5f)));
            case 1 -> mutated.deleteCharAt(random.nextInt(mutated.length()));
            case 2 -> mutated.append("*".repeat(1 + random.nextInt(3)));
            default -> {
                // only the case changed
            }
        }
        return mutated.toString();
    }

    private static String randomCodePoints(Random random) {
        StringBuilder key = new StringBuilder();
        for (int n = 1 + random.nextInt(15); n > 0; n--) {
            int codePoint = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x20);                      // control characters, NUL included
                case 1 -> 0x80 + random.nextInt(0x780);              // Latin-1, Greek, Cyrillic...
                case 2 -> 0x1F300 + random.nextInt(0x300);           // emoji
                case 3 -> 0xD800 + random.nextInt(0x800);            // a lone surrogate
                default -> random.nextInt(0x110000);                 // anything
            };
            key.appendCodePoint(codePoint);
        }
        return key.toString();
    }

    private static String randomChars(Random random, int min, int max, java.util.function.Supplier<Character> next) {
        StringBuilder key = new StringBuilder();
        for (int n = min + random.nextInt(max - min + 1); n > 0; n--) {
            key.append(next.get());
        }
        return key.toString();
    }

    /** Percent-encodes every byte of the value's UTF-8 but the unreserved characters. */
    private static String percentEncoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    /** The value as Java source, readable in a failure message. */
    private static String show(String value) {
        StringBuilder shown = new StringBuilder("\"");
        String head = value.length() > 60 ? value.substring(0, 60) : value;
        for (char c : head.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                shown.append(c);
            } else {
                shown.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        shown.append('"');
        if (value.length() > 60) {
            shown.append("... (").append(value.length()).append(" chars)");
        }
        return shown.toString();
    }

    private static String abbreviate(String body) {
        String oneLine = body.replace('\n', ' ');
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
