package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Settings, generated: 20,000 environments of one to three variables, each with a value from a
 * hostile set (numbers out of range or in other digits, URLs broken every way, control characters,
 * a NUL, a lone surrogate, 5,000 characters). Whatever they hold, reading them gives a
 * configuration or a plain IllegalArgumentException whose message names a variable given: the
 * one line the service prints before it exits with 2. DWH_DIR with a NUL was the JDK's
 * InvalidPathException, "Nul character not allowed", naming nothing.
 */
class ConfigFuzzTest {

    private static final String[] NAMES = {"CORS_ORIGINS", "COUNTY_POPULATION_URL", "DATABASE_URL", "DB_HOST",
        "DB_PARAMS", "DB_PORT", "DWH_DIR", "DWH_READER_PASSWORD", "MODERNA_URL", "PFIZER_URL", "PORT", "POSTGRES_DB",
        "POSTGRES_PASSWORD", "POSTGRES_USER", "REFRESH_INTERVAL", "REFRESH_TOKEN", "RUN_LOG_DAYS", "SOURCE_MAX_BYTES",
        "SOURCE_TIMEOUT"};
    private static final String[] VALUES = {"", " ", "0", "1", "-1", "65536", "99999999999999999999", "1e3", "0x10",
        "８０", "١٢", "abc", "a\u0000b", "\t", "\n", "x y", "%", "%ZZ", "postgres://", "postgresql://u:p@h:5/d?x=1",
        "postgresql://[::1", "postgresql://h:99999/d", "postgresql://h/d?sslmode", "postgresql://h/d?=x",
        "postgresql://h/d?a=b&&c=d", "postgresql://@/", "http://", "http://h", "http://h:0/x", "http://h:-1/x",
        "https://h/x?sig=1", "ftp://h/x", "file:///etc/passwd", "http://[::1]/x", "http://h/x#f", "http://u:p@h/x",
        "h", "::1", "[::1]", "/tmp", "a=b", "a=b&", "=b", "sslmode=require", "5m", "PT5M", "24h", "0s", "1s",
        "-5m", "5x", "P1D", "*", "http://a.example, http://b.example", "null", "36500", "36501", "200000000",
        "x".repeat(5000), "\uD800", "é", "../../x", "C:\\x", "\\\\server\\share"};

    @Test
    void everyBadSettingIsAnIllegalArgumentNamingIt() {
        Random random = new Random(20261202);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 20_000 && failures.size() < 20; i++) {
            Map<String, String> env = new HashMap<>();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                env.put(NAMES[random.nextInt(NAMES.length)], VALUES[random.nextInt(VALUES.length)]);
            }
            try {
                Config.fromEnvironment(env);
            } catch (IllegalArgumentException e) {
                String message = String.valueOf(e.getMessage());
                boolean named = env.keySet().stream().anyMatch(message::contains);
                if (!named || e.getClass() != IllegalArgumentException.class) {
                    failures.add(e.getClass().getSimpleName() + ": " + message + " for " + env.keySet());
                }
            } catch (RuntimeException e) {
                failures.add(e.getClass().getName() + ": " + e.getMessage() + " for " + env);
            }
        }
        assertTrue(failures.isEmpty(), escaped(String.join("\n", failures)));
    }

    /**
     * Settings beyond ASCII, generated: 2,000 values of ASCII with one to three characters from
     * further on (Latin-1, CJK, a pair of surrogates, a no-break space, mojibake as Latin-1 reads
     * UTF-8), in any variable. Under a JVM that read its environment in another charset than
     * UTF-8 (LANG=C gives ASCII), each is refused naming its variable and the locale to start in;
     * under UTF-8 none is refused for its charset, but a U+FFFD, which is what bytes that are not
     * UTF-8 become, is, at its index. Under ASCII every byte beyond it becomes a U+FFFD: that too
     * is refused with the locale to start in, not as bytes that are not UTF-8.
     */
    @Test
    void aSettingTheJvmCouldNotHaveReadAsSetIsRefusedNamingIt() {
        // U+FFFD too: LANG=C's ASCII reads every byte beyond it as one.
        String[] beyond = {"ö", "ñ", "é", "\u00A0", "日本", "\uD83D\uDE00", "Ã¶", "ÿ", "€", "\uFFFD\uFFFD"};
        String[] charsets = {"ANSI_X3.4-1968", "ISO-8859-1", "EUC-JP", "windows-1252"};
        Random random = new Random(20261203);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 2_000 && failures.size() < 20; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            StringBuilder value = new StringBuilder("dwh");
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                value.insert(random.nextInt(value.length() + 1), beyond[random.nextInt(beyond.length)]);
            }
            String charset = charsets[random.nextInt(charsets.length)];
            String refused = refusal(Map.of(name, value.toString()), charset);
            if (refused == null || !refused.startsWith(name + " holds characters beyond ASCII, and this JVM reads its "
                    + "environment as " + charset + ",") || !refused.endsWith("such as LANG=C.UTF-8")) {
                failures.add(name + "=" + value + " under " + charset + ": " + refused);
            }
            String utf8 = refusal(Map.of(name, value.toString()), "UTF-8");
            if (utf8 != null && utf8.contains("beyond ASCII, and this JVM")) {
                failures.add(name + "=" + value + " under UTF-8: " + utf8);
            }
            int first = value.indexOf("\uFFFD");
            if (first >= 0 && !(name + " holds U+FFFD (at index " + first + ", counted from 0), what bytes that are "
                    + "not UTF-8 are read as: set it as UTF-8 text").equals(utf8)) {
                failures.add(name + "=" + value + " under UTF-8: " + utf8);
            }
        }
        assertTrue(failures.isEmpty(), escaped(String.join("\n", failures)));
        // Where nothing else would refuse it, the same value is read as set under UTF-8.
        assertEquals("dwh_nöne", Config.fromEnvironment(Map.of("POSTGRES_DB", "dwh_nöne"), "UTF-8").dbName());
    }

    /** The message of the refusal of {@code env} read as {@code charset}, or null when it is read. */
    private static String refusal(Map<String, String> env, String charset) {
        try {
            Config.fromEnvironment(env, charset);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
                out.append(c);
            } else {
                out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            }
        }
        return out.toString();
    }
}
