package dev.statedoses.refresh;

import dev.statedoses.web.RefreshAccess;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * HTTP for refreshes: checks who asks, runs one and answers its report; or, with
 * {@code Prefer: respond-async} (RFC 7240), starts one and answers {@code 202 Accepted} at once,
 * with {@code Location: /refreshes/{id}} to follow it.
 */
public final class RefreshController {

    private final RefreshService refreshes;
    private final AsyncRefreshes async;
    private final RefreshRunRepository runs;
    private final RefreshAccess access;

    public RefreshController(RefreshService refreshes, AsyncRefreshes async, RefreshRunRepository runs,
                             RefreshAccess access) {
        this.refreshes = refreshes;
        this.async = async;
        this.runs = runs;
        this.access = access;
    }

    public void refresh(Context ctx) {
        access.check(ctx.header("Authorization"));
        if (!prefersAsync(ctx.header("Prefer"))) {
            ctx.json(refreshes.refresh(Trigger.API));
            return;
        }
        long runId = async.start(Trigger.API);
        ctx.status(202);
        ctx.header("Location", "/refreshes/" + runId);
        ctx.header("Preference-Applied", "respond-async");
        // The run as it is now: running, most likely (a quick one may have ended already).
        runs.find(runId).ifPresent(ctx::json);
    }

    /**
     * Whether the Prefer header (RFC 7240; several headers arrive joined by commas) holds
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
