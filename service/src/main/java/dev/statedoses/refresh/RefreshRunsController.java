package dev.statedoses.refresh;

import dev.statedoses.text.Printable;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.QueryParameter;
import dev.statedoses.web.StrictQuery;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.regex.Pattern;

/** HTTP for the log of refresh attempts: reads the request, asks the run log (RefreshRuns), writes JSON. */
public final class RefreshRunsController {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    /** {@code ?limit=}: the one query parameter of the list (web/StrictQuery); the detail takes none. */
    private static final QueryParameter LIMIT = QueryParameter.once("limit", "invalid-limit", "Invalid limit",
        "as a whole number from 1 to " + MAX_LIMIT);

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private final RefreshRuns runs;

    public RefreshRunsController(RefreshRuns runs) {
        this.runs = runs;
    }

    /** {@code GET /refreshes?limit=}: the newest attempts first, each with its sources. */
    public void list(Context ctx) {
        ctx.json(runs.recent(limit(StrictQuery.read(ctx, LIMIT).one(LIMIT.name()))));
    }

    /** {@code GET /refreshes/{id}}: one attempt with its sources and its data checks. */
    public void one(Context ctx) {
        StrictQuery.read(ctx); // it takes no parameters: one given is a 400, not ignored
        // Not stripped: the contract says anything but digits is a 400, and "1 " is not digits.
        String id = ctx.pathParam("id");
        if (!DIGITS.matcher(id).matches()) {
            throw new ProblemException(Problem.of(400, "invalid-refresh-id", "Invalid refresh id",
                "'" + Printable.shorten(id, 40)
                    + "' is not a refresh id: use the run_id of a refresh (a whole number)"));
        }
        // Digits are an id, however many: one beyond a bigint is one no run has (404), not a
        // malformed one (400), as the contract says.
        Optional<RefreshRun> run;
        try {
            run = runs.find(Long.parseLong(id));
        } catch (NumberFormatException beyondLong) {
            run = Optional.empty();
        }
        ctx.json(run.orElseThrow(() -> new ProblemException(Problem.of(404, "unknown-refresh",
            "Unknown refresh", "No refresh " + Printable.shorten(id, 40) + ": GET /refreshes lists them"))));
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        // Digits only, as for the run id: " 1" (a %20 or a + before it) is no limit.
        if (DIGITS.matcher(value).matches() && value.length() <= 18) {
            long limit = Long.parseLong(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return (int) limit;
            }
        }
        throw LIMIT.invalid("limit must be a whole number from 1 to " + MAX_LIMIT + " (default " + DEFAULT_LIMIT
            + "), not '" + Printable.shorten(value, 40) + "'");
    }
}
