package dev.statedoses.refresh;

import dev.statedoses.web.RefreshAccess;
import io.javalin.http.Context;

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
        ctx.json(refreshes.refresh(Trigger.API));
    }

}
