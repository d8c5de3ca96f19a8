package dev.statedoses.ratio;

import dev.statedoses.web.ProductResponse;
import dev.statedoses.web.ProductResponse.Prepared;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The product as readers get it: every row, found by code or name, with the responses for
 * {@code GET /ratios} and each {@code GET /ratios/{state}} already written in JSON and CSV with
 * their ETags. Immutable; a refresh makes a new one and swaps it in whole.
 */
public record ProductSnapshot(List<StateRatio> rows, Prepared all, Map<String, StateRatio> byKey,
                              Map<String, Prepared> byCode) {

    public static ProductSnapshot of(List<StateRatio> rows, ProductResponse responses) {
        Instant refreshedAt = rows.isEmpty() ? null : rows.get(0).refreshedAt();
        Map<String, StateRatio> byKey = new HashMap<>();
        Map<String, Prepared> byCode = new HashMap<>();
        for (StateRatio row : rows) {
            byKey.put(row.stateCode().toUpperCase(Locale.ROOT), row);
            byKey.put(row.state().toLowerCase(Locale.ROOT), row);
            byCode.put(row.stateCode(), responses.prepare(row, RatioController.RATIO_COLUMNS, row.refreshedAt()));
        }
        return new ProductSnapshot(List.copyOf(rows),
            responses.prepare(rows, RatioController.RATIO_COLUMNS, refreshedAt), Map.copyOf(byKey),
            Map.copyOf(byCode));
    }

    /** The row of a USPS code (any case) or a state name (any case), as the repository finds them. */
    public Optional<StateRatio> find(String codeOrName) {
        StateRatio byCode = byKey.get(codeOrName.toUpperCase(Locale.ROOT));
        if (byCode != null && byCode.stateCode().equalsIgnoreCase(codeOrName)) {
            return Optional.of(byCode);
        }
        return Optional.ofNullable(byKey.get(codeOrName.toLowerCase(Locale.ROOT)));
    }

    public Prepared prepared(StateRatio row) {
        return byCode.get(row.stateCode());
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }
}
