package dev.statedoses.refresh;

import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.util.OpenFiles;
import dev.statedoses.source.SourceException;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.warehouse.StoppedDuringStartException;
import dev.statedoses.warehouse.WarehouseStartException;
import dev.statedoses.web.Problem;
import java.util.List;
import java.util.Optional;

/**
 * How a failed refresh is worded: the one place for the problem {@code POST /refresh} answers (and
 * {@code refresh --json} prints) and for the error its run records, so that the two say the same.
 * They did not when each worded it on its own: a refresh that lost the warehouse answered "The
 * warehouse does not answer; try again shortly" and was recorded as "Unable to create savepoint
 * 'load_moderna'".
 *
 * <p>The recorded error is the problem's {@code detail}. Where the detail keeps the cause from the
 * client (the warehouse went away, or something unexpected failed), the cause follows it in
 * parentheses: the run log is where an operator looks for it.
 */
public final class RefreshFailure {

    /** The detail of a refresh, or of any request, that needed the warehouse while it was away. */
    public static final String WAREHOUSE_UNAVAILABLE = "The warehouse does not answer; try again shortly";
    /**
     * The start of the detail of a refresh, or of any request, whose work the warehouse stopped for
     * a reason of its own ({@link Warehouse#stopped}); the warehouse's own message goes to the log
     * and the run's error, as an outage's does.
     */
    public static final String STOPPED = "The warehouse stopped the work: ";
    /**
     * The start of the detail of a refresh, or of any request, whose connection a warehouse that
     * answers refused ({@link Warehouse#refusedConnection}): its database gone, its login refused.
     */
    public static final String REFUSED = "The warehouse answers, but refused the service's connection: ";
    /** The start of the detail of a failure to open a file or socket for want of descriptors. */
    public static final String OUT_OF_FILES = "The service ran out of open files";
    /** The detail of an unexpected failure: no internals to clients. */
    public static final String INTERNAL_ERROR = "Something unexpected failed; the service log has the details";

    private RefreshFailure() {
    }

    /** The problem a refresh that failed with {@code e} answers. */
    public static Problem problem(Throwable e) {
        String detail = detail(e);
        if (OpenFiles.ranOut(e)) {
            return Problem.of(503, "out-of-files", "Service out of open files", detail);
        }
        if (e instanceof SourceAbandonedException || e instanceof StoppedDuringStartException) {
            return Problem.of(503, "shutting-down", "Service shutting down", detail);
        }
        if (e instanceof SourceException source) {
            return sourceProblem(source, detail);
        }
        if (e instanceof CheckFailedException checks) {
            return Problem.of(422, "check-failed", "Data check failed", detail).with("checks", checks.failed());
        }
        if (e instanceof RefreshBusyException) {
            return Problem.of(409, "refresh-running", "Refresh already running", detail);
        }
        if (e instanceof WarehouseChangedException changed) {
            // A 500 (the fault is the server side's, and asking again does not mend it), of its
            // own type: what differs, so that whoever changed it can undo it.
            return Problem.of(500, "warehouse-changed", "Warehouse changed", detail)
                .with("differences", changed.differences());
        }
        Optional<String> gone = Warehouse.missing(e);
        if (gone.isPresent() && !Warehouse.unreachable(e) && Warehouse.stopped(e).isEmpty()) {
            // It answers, but something a statement needs is missing: not an internal error of
            // ours, nor an outage to wait out.
            return Problem.of(500, "warehouse-changed", "Warehouse changed", detail)
                .with("differences", List.of(gone.get()));
        }
        if (Warehouse.unreachable(e) || Warehouse.stopped(e).isPresent() || e instanceof WarehouseStartException) {
            // The last two only from the refresh command, whose start found a lock held past its
            // wait, or a warehouse it cannot use.
            return warehouseUnavailable(detail);
        }
        return Problem.of(500, "internal-error", "Internal error", detail);
    }

    /**
     * {@code problem} as a refresh whose run {@code runId} is on record answers it: with the run's
     * id, and where its record is ({@code GET /refreshes/{id}}, as RFC 9457's {@code instance}, the
     * occurrence of the problem). The answer said what failed but not which run, so a client
     * could not tell which of the run log's rows, and which of the log's lines, were its own.
     * A {@code runId} under 1 is no run (none was on record): the problem as it is.
     */
    public static Problem ofRun(Problem problem, long runId) {
        return runId < 1 ? problem : problem.with("run_id", runId).with("instance", "/refreshes/" + runId);
    }

    /** The problem of any request that failed unexpectedly. */
    public static Problem internalError() {
        return Problem.of(500, "internal-error", "Internal error", INTERNAL_ERROR);
    }

    /**
     * The error a run that failed with {@code e} records (and the refresh command prints): the
     * problem's detail, and the cause after it when the detail does not say it.
     */
    public static String recorded(Throwable e) {
        String detail = detail(e);
        if (!detail.equals(WAREHOUSE_UNAVAILABLE) && !detail.equals(INTERNAL_ERROR) && !detail.startsWith(STOPPED)
            && !detail.startsWith(OUT_OF_FILES) && !detail.startsWith(REFUSED)) {
            return detail;
        }
        return detail + " (" + cause(e) + ")";
    }

    /**
     * The cause of {@code e} as the run log keeps it: its message, but the warehouse's own words
     * where the message is JDBI's, which quotes the whole statement and its arguments (a batch of
     * a run's sources took some 1,500 characters to say "no sources today").
     */
    static String cause(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        return message.contains(" [statement:") ? Warehouse.said(e).orElse(message) : message;
    }

    /** The problem's detail, before {@link Problem} escapes it (the run log escapes on its own). */
    private static String detail(Throwable e) {
        if (OpenFiles.ranOut(e)) {
            // Neither the source's fault nor the warehouse's, which were blamed: they were what it opened.
            return OUT_OF_FILES + " (its limit, ulimit -n, is " + OpenFiles.describeLimit() + "): neither a source "
                + "nor the warehouse is at fault; try again shortly, and raise the limit if it recurs";
        }
        if (e instanceof SourceException source) {
            return source.describe();
        }
        if (e instanceof SourceAbandonedException || e instanceof CheckFailedException
            || e instanceof RefreshBusyException || e instanceof WarehouseChangedException) {
            return e.getMessage();
        }
        if (e instanceof StoppedDuringStartException) {
            return "The service was asked to end (SIGTERM or Ctrl-C) while it started, before the refresh began";
        }
        if (e instanceof WarehouseStartException) {
            // Only the command line meets them (no refresh began): where it looked, which session
            // holds the lock it waited for, or why the warehouse cannot be used, for its operator.
            return e.getMessage();
        }
        // The warehouse's own reason first: a pool that could not get a connection because every
        // slot was taken (53300) is also "out of reach", and was said to be "not answering".
        Optional<String> stopped = Warehouse.stopped(e);
        if (stopped.isPresent()) {
            return STOPPED + stopped.get() + "; try again shortly";
        }
        Optional<String> refused = Warehouse.refusedConnection(e);
        if (refused.isPresent()) {
            return REFUSED + refused.get();
        }
        if (Warehouse.unreachable(e)) {
            return WAREHOUSE_UNAVAILABLE;
        }
        Optional<String> gone = Warehouse.missing(e);
        if (gone.isPresent()) {
            return missing(gone.get(), Warehouse.missingWhere(e));
        }
        return INTERNAL_ERROR;
    }

    /**
     * The detail of a statement that found a table, column, function or schema missing: what the
     * migrations made, gone (dropped by hand, or the database created again), or, met inside a
     * trigger's or event trigger's function ({@code where}), that code's own names, which resolve
     * against the service's search_path (pg_catalog, pg_temp) when it runs in the service's
     * session. The run log and the answer said two things of it until 2026-12-07, and the answer
     * asked whether a table of the service's was dropped.
     */
    private static String missing(String missing, Optional<String> where) {
        return where.map(in -> "Code added to the warehouse that runs inside the service's statements found "
                + "something missing (" + missing + ", in " + in + "): a trigger or event trigger runs in the "
                + "service's session, whose search_path is pg_catalog, pg_temp; name the tables it uses with their "
                + "schema, or drop it")
            .orElse("The warehouse no longer has what its migrations made (" + missing + "): was a table dropped, "
                + "or the database created again? A restart of the service migrates an empty database; POST "
                + "/refresh names every difference");
    }

    private static Problem warehouseUnavailable(String detail) {
        return Problem.of(503, "warehouse-unavailable", "Warehouse unavailable", detail);
    }

    private static Problem sourceProblem(SourceException e, String detail) {
        Problem problem = switch (e.kind()) {
            case CONTENT -> Problem.of(422, "source-content", "Source content rejected", detail);
            case TRUNCATED -> Problem.of(422, "source-truncated", "Source cut short", detail);
            case TIMEOUT -> Problem.of(504, "source-timeout", "Source timed out", detail);
            case UNAVAILABLE -> Problem.of(502, "source-unavailable", "Source unavailable", detail);
        };
        return problem.with("source", e.source().label())
            .with("url", e.shownUrl())
            .with("line", e.line())
            .with("column", e.column())
            .with("state", e.state())
            // How many times the upstream was asked: always for a fetch that failed, and for a
            // content error when it took more than one try to get that content.
            .with("attempts", e.kind() == SourceException.Kind.UNAVAILABLE || e.kind() == SourceException.Kind.TIMEOUT
                || e.attempts() > 1 ? e.attempts() : null);
    }
}
