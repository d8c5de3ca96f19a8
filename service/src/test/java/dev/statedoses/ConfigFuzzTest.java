package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }
}
