package dev.statedoses.warehouse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.ValidateOutput;

/**
 * Why the warehouse's migration history does not match this build's migrations, in the service's
 * own words. Flyway's validation says "run repair", a command of Flyway's tools that state-doses
 * does not have; and its repair would only make the history agree with the files, not the tables.
 * Here each migration is named with what differs and the one statement that undoes a hand edit of
 * the history. Once the history agrees, the service compares the tables with what the migrations
 * make (SchemaCheck) and names any difference there.
 *
 * <p>How a history comes to differ: state-doses never edits a released migration, and PostgreSQL
 * undoes a failed migration whole (Flyway then records nothing), so a checksum, description or
 * type that differs, or a migration recorded as failed, is either a history edited by hand or a
 * warehouse another build (a development one) migrated. An applied migration this build lacks
 * (below its latest: a later one is a newer build's, and let be) can only be the second.
 */
final class HistoryMismatch {

    /** What the validation reports that is not only "to apply", which migrate does. */
    private static final Set<CoreErrorCode> MISMATCHES = Set.of(CoreErrorCode.CHECKSUM_MISMATCH,
        CoreErrorCode.DESCRIPTION_MISMATCH, CoreErrorCode.TYPE_MISMATCH, CoreErrorCode.FAILED_VERSIONED_MIGRATION,
        CoreErrorCode.APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED);

    private HistoryMismatch() {
    }

    /** The migrations whose validation found the history different from this build, or none. */
    static List<ValidateOutput> of(List<ValidateOutput> invalid) {
        return invalid.stream()
            .filter(output -> output.errorDetails != null && MISMATCHES.contains(output.errorDetails.errorCode))
            .toList();
    }

    /**
     * One message for {@code mismatched} (from {@link #of}), each migration looked up in
     * {@code info} (Flyway's info on every migration, resolved and applied) for its checksums.
     */
    static String explain(List<ValidateOutput> mismatched, MigrationInfo[] info) {
        Map<String, MigrationInfo> byVersion = Arrays.stream(info)
            .filter(m -> m.getVersion() != null)
            .collect(Collectors.toMap(m -> m.getVersion().getVersion(), Function.identity(), (a, b) -> a));
        List<String> found = new ArrayList<>();
        List<String> undo = new ArrayList<>();
        for (ValidateOutput output : mismatched) {
            MigrationInfo m = byVersion.get(output.version);
            String name = "V" + output.version + (output.description == null || output.description.isBlank()
                ? "" : " (" + output.description + ")");
            String where = " where version = '" + output.version + "'";
            switch ((CoreErrorCode) output.errorDetails.errorCode) {
                case CHECKSUM_MISMATCH -> {
                    String applied = either(m == null ? null : m.getAppliedChecksum(), output, APPLIED);
                    String here = either(m == null ? null : m.getResolvedChecksum(), output, RESOLVED);
                    found.add(name + " was applied with checksum " + applied + ", and this build's is " + here);
                    undo.add("update dwh.flyway_schema_history set checksum = " + here + where);
                }
                case DESCRIPTION_MISMATCH -> {
                    String applied = either(m == null ? null : m.getAppliedDescription(), output, APPLIED);
                    String here = either(m == null ? null : m.getResolvedDescription(), output, RESOLVED);
                    found.add("V" + output.version + " was applied as \"" + applied + "\", and this build's is \""
                        + here + "\"");
                    undo.add("update dwh.flyway_schema_history set description = " + literal(here) + where);
                }
                case TYPE_MISMATCH -> {
                    String applied = either(m == null || m.getAppliedType() == null ? null : m.getAppliedType().name(),
                        output, APPLIED);
                    String here = either(m == null || m.getResolvedType() == null ? null : m.getResolvedType().name(),
                        output, RESOLVED);
                    found.add(name + " was applied as type " + applied + ", and this build's is " + here);
                    undo.add("update dwh.flyway_schema_history set type = " + literal(here) + where);
                }
                case FAILED_VERSIONED_MIGRATION -> {
                    found.add(name + " is recorded as failed (success = false)");
                    undo.add("update dwh.flyway_schema_history set success = true" + where);
                }
                default -> { // APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED
                    found.add(name + " is applied, and this build has no such migration");
                }
            }
        }
        StringBuilder message = new StringBuilder("its migration history (dwh.flyway_schema_history) does not match "
            + "this build's migrations: ").append(String.join("; ", found)).append(". ");
        message.append("A released migration never changes and PostgreSQL records no failed one, so either another "
            + "build of state-doses migrated this warehouse (start that build, or this one on a new database) or the "
            + "history was edited by hand");
        if (!undo.isEmpty()) {
            message.append(": undo that edit (").append(String.join("; ", undo)).append(") and start again; the "
                + "service then compares the tables with its migrations and names any difference");
        }
        message.append(". state-doses has no repair command: Flyway's would make the history agree with the files, "
            + "not the tables");
        return message.toString();
    }

    /** The lines of Flyway's message that say what the history has and what this build has. */
    private static final Pattern APPLIED = Pattern.compile("(?m)^-> Applied to database\\s*: (.*)$");
    private static final Pattern RESOLVED = Pattern.compile("(?m)^-> Resolved locally\\s*: (.*)$");

    /**
     * {@code known} from Flyway's info, or else what its validation message says on the line
     * {@code line} (the info's accessors answer null for what it does not compare, as a
     * description does in 13.x).
     */
    private static String either(Object known, ValidateOutput output, Pattern line) {
        if (known != null) {
            return known.toString();
        }
        Matcher said = line.matcher(output.errorDetails.errorMessage == null ? "" : output.errorDetails.errorMessage);
        return said.find() ? said.group(1).strip() : null;
    }

    private static String literal(String text) {
        return text == null ? "null" : "'" + text.replace("'", "''") + "'";
    }
}
