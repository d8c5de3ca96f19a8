package dev.statedoses.refresh;

import dev.statedoses.text.Printable;
import dev.statedoses.web.HeaderLines;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.QueryParameter;
import dev.statedoses.web.StrictQuery;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP for refreshes: checks who asks, runs one and answers its report; or, with
 * {@code Prefer: respond-async} (RFC 7240), starts one and answers {@code 202 Accepted} at once,
 * with {@code Location: /refreshes/{id}} to follow it.
 */
public final class RefreshController {

    /**
     * The request attribute that holds the run id of a synchronous refresh that failed once its
     * run was on record: the failure's problem carries it ({@link RefreshFailure#ofRun}),
     * whichever exception handler answers it.
     */
    public static final String RUN_ID = "state-doses.refresh-run-id";

    /** {@code ?force=true}: the one query parameter a refresh takes (web/StrictQuery). */
    private static final QueryParameter FORCE = QueryParameter.once("force", "invalid-force", "Invalid force",
        "as true or false");

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
        // Every line of it: two lines are no one token, whichever of them is right.
        access.check(HeaderLines.all(ctx, "Authorization"));
        boolean force = force(StrictQuery.read(ctx, FORCE).one(FORCE.name()));
        if (!prefersAsync(HeaderLines.joined(ctx, "Prefer"))) {
            AtomicLong recorded = new AtomicLong();
            RefreshReport report;
            try {
                report = refreshes.refresh(Trigger.API, force, recorded::set);
            } catch (RuntimeException | Error e) {
                ctx.attribute(RUN_ID, recorded.get()); // 0 while none was on record: RefreshFailure.ofRun
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                // The routes map exceptions only: an Error (the heap ran out) was Javalin's empty
                // 500. The run is on record as failed already, with the same words.
                throw new ProblemException(RefreshFailure.problem(e));
            }
            ctx.json(report);
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
    private static boolean force(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw FORCE.invalid("force must be true or false, not '" + Printable.shorten(value, 40) + "'");
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
