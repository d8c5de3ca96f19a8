package dev.statedoses.refresh;

import dev.statedoses.warehouse.SchemaCheck;
import java.util.List;

/**
 * The warehouse no longer has what the migrations made ({@link SchemaCheck}): a refresh on it
 * could store wrong values with every check passing, or fail halfway with the database's words
 * only. Refused before any source is fetched; the run is recorded as failed with the differences.
 */
public final class WarehouseChangedException extends RuntimeException {

    private final List<String> differences;

    public WarehouseChangedException(List<String> differences, Throwable cause) {
        super("The warehouse differs from what its migrations made, so no refresh runs on it: "
            + SchemaCheck.describe(differences) + ". Undo these changes (the migrations, db/migration in the "
            + "service's source, say what each should be), or start on a new database; the product stays as it was",
            cause);
        this.differences = List.copyOf(differences);
    }

    public List<String> differences() {
        return differences;
    }
}
