package dev.statedoses.refresh;

import io.javalin.http.Context;

/** HTTP for refreshes: runs one and answers its report. */
public final class RefreshController {

    private final RefreshService refreshes;

    public RefreshController(RefreshService refreshes) {
        this.refreshes = refreshes;
    }

    public void refresh(Context ctx) {
        ctx.json(refreshes.refresh());
    }
}
