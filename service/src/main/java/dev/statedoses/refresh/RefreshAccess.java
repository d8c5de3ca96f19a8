package dev.statedoses.refresh;

import dev.statedoses.util.Sha256;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Who may trigger a refresh: anyone when no token is configured, otherwise whoever sends
 * {@code Authorization: Bearer <token>}. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, in time independent of where they differ and of their length.
 */
public final class RefreshAccess {

    private final byte[] expected;

    /** @param token the token required, or null for open access */
    public RefreshAccess(String token) {
        this.expected = token == null ? null : sha256(token);
    }

    public boolean open() {
        return expected == null;
    }

    /** Throws a 401 problem unless the Authorization header carries the token. */
    public void check(List<String> lines) {
        if (expected == null) {
            return;
        }
        if (lines != null && lines.size() > 1) {
            // Two lines are one value, joined by ", " (RFC 9110, 5.3): a token holding ", " was
            // matched by its halves on two lines. A token is one line, whatever it holds.
            throw unauthorized("Authorization came on " + lines.size() + " lines; the bearer token goes on one");
        }
        String authorization = lines == null || lines.isEmpty() ? null : lines.get(0);
        String prefix = "Bearer ";
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length());
        byte[] given = sha256(bearer ? authorization.substring(prefix.length()).strip() : "");
        if (!bearer || !MessageDigest.isEqual(expected, given)) {
            throw unauthorized(authorization == null
                ? "POST /refresh needs the header Authorization: Bearer <REFRESH_TOKEN>"
                : "the bearer token is not the refresh token");
        }
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail),
            Map.of("WWW-Authenticate", "Bearer realm=\"state-doses\""));
    }

    private static byte[] sha256(String text) {
        return Sha256.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
