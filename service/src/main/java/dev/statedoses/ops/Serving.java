package dev.statedoses.ops;

import java.time.Instant;
import java.util.Optional;

/**
 * What this instance serves and plans, as the probes and the metrics see it: the product in its
 * memory (not the warehouse's, which another instance may have changed a moment ago) and its
 * schedule. Wiring adapts the product snapshot and the scheduler to it.
 */
public interface Serving {

    /** Rows of the product served from memory: 51, or 0 before the first refresh. */
    int stateRows();

    /** When the product served was refreshed; null when there is none. */
    Instant refreshedAt();

    /** Why this instance's last reload of the product failed, while none has succeeded since. */
    Optional<Throwable> reloadFailure();

    /** When this instance next looks for a scheduled refresh to run; null without REFRESH_INTERVAL. */
    Instant nextScheduledRefresh();

    /** How many scheduled ticks this instance saw end with {@code outcome} (see RefreshScheduler). */
    long scheduledTicks(String outcome);

    /** Nothing served yet and no schedule: what Ops reports until Wiring tells it more. */
    Serving NOTHING = new Serving() {
        @Override
        public int stateRows() {
            return 0;
        }

        @Override
        public Instant refreshedAt() {
            return null;
        }

        @Override
        public Optional<Throwable> reloadFailure() {
            return Optional.empty();
        }

        @Override
        public Instant nextScheduledRefresh() {
            return null;
        }

        @Override
        public long scheduledTicks(String outcome) {
            return 0;
        }
    };
}
