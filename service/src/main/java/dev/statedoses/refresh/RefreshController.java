package dev.statedoses.refresh;

import dev.statedoses.text.Printable;
import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import dev.statedoses.web.RefreshAccess;
import io.javalin.http.Context;
import java.util.List;

/** HTTP for refreshes: checks who asks, runs one and answers its report. */
public final class RefreshController {

    private final RefreshService refreshes;
    private final RefreshAccess access;
    public RefreshController(RefreshService refreshes, RefreshAccess access) {
        this.refreshes = refreshes;
        this.access = access;
    }

    public void refresh(Context ctx) {
        access.check(ctx.header("Authorization"));
        ctx.json(refreshes.refresh(force(ctx.queryParams("force"))));
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

}
