package dev.statedoses.refresh;

import dev.statedoses.text.Printable;
import dev.statedoses.web.HeaderLines;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;

/**
 * HTTP for refreshes: checks who asks, runs one and answers its report; or, with
 * {@code Prefer: respond-async} (RFC 7240), starts one and answers {@code 202 Accepted} at once,
 * with {@code Location: /refreshes/{id}} to follow it.
 */
public final class RefreshController {

    private final RefreshService refreshes;
    private final AsyncRefreshes async;
    private final RefreshRuns runs;
    private final RefreshAccess access;

    public RefreshController(RefreshService refreshes, AsyncRefreshes async, RefreshRuns runs,
                             RefreshAccess access) {
        this.refreshes = refreshes;
        this.async = async;
        this.runs = runs;
        this.access = access;
    }

    public void refresh(Context ctx) {
        access.check(ctx.header("Authorization"));
        boolean force = force(ctx.queryParams("force"));
        if (!prefersAsync(HeaderLines.joined(ctx, "Prefer"))) {
            ctx.json(refreshes.refresh(Trigger.API, force, runId -> { }));
            return;
        }
        long runId = async.start(Trigger.API, force);
        ctx.status(202);
        ctx.header("Location", "/refreshes/" + runId);
        ctx.header("Preference-Applied", "respond-async");
        // The run as it is now: running, most likely (a quick one may have ended already).
        runs.find(runId).ifPresent(ctx::json);
    }

    /** {@code ?force=true} rebuilds even when every source is unchanged; absent or false: it need not. */
    private static boolean force(List<String> values) {
        if (values.isEmpty() || values.equals(List.of("false"))) {
            return false;
        }
        if (values.equals(List.of("true"))) {
            return true;
        }
        throw new ProblemException(Problem.of(400, "invalid-force", "Invalid force",
            "force must be true or false, given once, not '" + Printable.shorten(String.join("', '", values), 40) + "'"));
    }

    /**
     * Whether the Prefer header (RFC 7240; its lines joined by commas, {@link HeaderLines}) holds
     * {@code respond-async}. Names are case-insensitive; a value or parameters on it change nothing.
     */
    static boolean prefersAsync(String prefer) {
        if (prefer == null) {
            return false;
        }
        for (String preference : prefer.split(",")) {
            String name = preference.split("[=;]", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (name.equals("respond-async")) {
                return true;
            }
        }
        return false;
    }
}
