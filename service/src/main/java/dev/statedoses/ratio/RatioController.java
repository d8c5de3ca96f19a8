package dev.statedoses.ratio;

import dev.statedoses.web.Problem;
import dev.statedoses.web.ProblemException;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/** HTTP for the data product: reads the request, asks the repository, writes JSON. */
public final class RatioController {

    /** A USPS code or a state name: letters, spaces and the odd dot; nothing else reaches SQL. */
    private static final Pattern STATE_KEY = Pattern.compile("[A-Za-z][A-Za-z .]{0,39}");

    private final RatioRepository ratios;

    public RatioController(RatioRepository ratios) {
        this.ratios = ratios;
    }

    public void list(Context ctx) {
        ctx.json(ratios.all());
    }

    public void one(Context ctx) {
        String key = ctx.pathParam("state").strip();
        if (!STATE_KEY.matcher(key).matches()) {
            throw new ProblemException(Problem.of(400, "invalid-state", "Invalid state",
                "'" + printable(key) + "' is not a state: use a USPS code (NY) or a full name (New York)"));
        }
        StateRatio row = ratios.find(key).orElseThrow(() -> new ProblemException(ratios.isEmpty()
            ? Problem.of(404, "no-data", "No data yet",
                "No data has been loaded yet: run a refresh first (POST /refresh)")
            : Problem.of(404, "unknown-state", "Unknown state",
                "No state '" + key + "': use a USPS code (NY) or a full name (New York)")));
        ctx.json(row);
    }

    private static String printable(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
