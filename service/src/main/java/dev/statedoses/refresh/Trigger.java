package dev.statedoses.refresh;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What started a refresh, as {@code dwh.refresh_runs.trigger} and {@code GET /refreshes} name it. */
public enum Trigger {
    /** {@code POST /refresh}. */
    API,
    /** The {@code refresh} command. */
    CLI,
    /** The service itself, every {@code REFRESH_INTERVAL}. */
    SCHEDULE;

    /** The name stored and shown: {@code api}, {@code cli}, {@code schedule}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
