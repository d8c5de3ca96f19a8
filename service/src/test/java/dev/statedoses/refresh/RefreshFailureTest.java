package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.source.SourceAbandonedException;
import dev.statedoses.source.SourceException;
import dev.statedoses.source.SourceName;
import dev.statedoses.web.Problem;
import dev.statedoses.util.OpenFiles;
import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionException;
import org.junit.jupiter.api.Test;

/**
 * Every kind of failure a refresh meets is worded once: the error its run records is the detail
 * of the problem it answers, and, where that detail keeps the cause from the client, the cause
 * after it. (WarehouseOutageTest sees it end to end, through a warehouse that stops.)
 */
class RefreshFailureTest {

    private static final URI URL = URI.create("https://h/m.csv?sig=s3cr3t");

    private static void recordedAsAnswered(Throwable e, int status, String recorded) {
        Problem problem = RefreshFailure.problem(e);
        assertEquals(status, problem.status(), problem.toString());
        assertEquals(recorded, RefreshFailure.recorded(e));
        assertEquals(true, recorded.startsWith(problem.detail()), problem.detail() + " / " + recorded);
    }

    @Test
    void whatTheClientIsToldIsWhatTheRunRecords() {
        recordedAsAnswered(SourceException.unavailable(SourceName.MODERNA, URL, "upstream answered HTTP 404", null), 502,
            "moderna source (https://h/m.csv?sig=***): upstream answered HTTP 404");
        recordedAsAnswered(SourceException.timeout(SourceName.PFIZER, URL, "no answer within 60 s", null), 504,
            "pfizer source (https://h/m.csv?sig=***): no answer within 60 s");
        recordedAsAnswered(SourceException.content(SourceName.MODERNA, URL, 7L, "week", "not a date: 'soon'"), 422,
            "moderna source (https://h/m.csv?sig=***), line 7, column week: not a date: 'soon'");
        recordedAsAnswered(new SourceAbandonedException(SourceAbandonedException.SHUTTING_DOWN), 503,
            SourceAbandonedException.SHUTTING_DOWN);
        CheckFailedException checks = new CheckFailedException(List.of(new CheckResult("row_count", CheckResult.FAIL,
            "50 rows, expected 51")));
        recordedAsAnswered(checks, 422, checks.getMessage());
    }

    @Test
    void theCauseTheClientIsNotToldFollowsInTheRunLog() {
        TransactionException lost = new TransactionException("Unable to create savepoint 'load_moderna'",
            new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        recordedAsAnswered(lost, 503, RefreshFailure.WAREHOUSE_UNAVAILABLE + " (Unable to create savepoint 'load_moderna')");
        recordedAsAnswered(new IllegalStateException("no rows for run 7"), 500,
            RefreshFailure.INTERNAL_ERROR + " (no rows for run 7)");
        recordedAsAnswered(new OutOfMemoryError(), 500, RefreshFailure.INTERNAL_ERROR + " (java.lang.OutOfMemoryError)");
    }

    /**
     * A connection the pool could not get because the warehouse refused it for a reason of its
     * own (every slot taken, as the pool's timeout reports it, with the server's refusal as its
     * cause) names that reason. It said "The warehouse does not answer", which it did.
     */
    @Test
    void aConnectionRefusedForAReasonOfTheWarehousesOwnNamesIt() {
        for (String[] refusal : new String[][] {
                {"53300", "FATAL: sorry, too many clients already", "the warehouse has too many connections"},
                {"53200", "FATAL: out of memory", "the warehouse is out of memory"},
                {"53100", "FATAL: could not write init file", "the warehouse's disk is full"}}) {
            SQLTransientConnectionException pool = new SQLTransientConnectionException(
                "warehouse - Connection is not available, request timed out after 3000ms (total=0, active=0, idle=0, "
                    + "waiting=0)", new SQLException(refusal[1], refusal[0]));
            recordedAsAnswered(pool, 503, "The warehouse stopped the work: " + refusal[2] + " (SQLSTATE " + refusal[0]
                + "); try again shortly (" + pool.getMessage() + ")");
        }
        // A pool that timed out on a warehouse away is still out of reach.
        recordedAsAnswered(new SQLTransientConnectionException("timed out",
            new SQLException("Connection to 127.0.0.1:5432 refused.", "08001")), 503,
            RefreshFailure.WAREHOUSE_UNAVAILABLE + " (timed out)");
    }

    /**
     * A descriptor this process could not open, for want of any left, is the process's fault,
     * wherever it was opened: a source's file (the JDK's FileSystemException; a stream's
     * "path (reason)"), a source's socket, the warehouse's connection under the pool's timeout.
     * It blamed the source ("Source unavailable", 502) or the warehouse ("does not answer").
     * Found by hand on the built jar under {@code ulimit -n 64} with idle clients (PROGRESS.md,
     * 2026-12-04): the first shape below is the one it met.
     */
    @Test
    void descriptorsRunOutAreTheServicesOwnFaultWhereverTheyRanOut() {
        Path file = Path.of("/data/moderna.csv");
        String told = RefreshFailure.OUT_OF_FILES + " (its limit, ulimit -n, is " + OpenFiles.describeLimit() + "): neither a source nor "
            + "the warehouse is at fault; try again shortly, and raise the limit if it recurs";
        List<Throwable> outOfFiles = List.of(
            SourceException.unavailable(SourceName.MODERNA, URL, "/data/moderna.csv: Too many open files",
                new FileSystemException(file.toString(), null, "Too many open files")),
            SourceException.unavailable(SourceName.MODERNA, URL, "x",
                new FileSystemException(file.toString(), null, "Too many open files in system")),
            SourceException.unavailable(SourceName.PFIZER, URL, "x",
                new FileNotFoundException("/data/pfizer.csv (Too many open files)")),
            SourceException.transientFault(SourceName.POPULATION, URL, "x",
                (ConnectException) new ConnectException().initCause(new SocketException("Too many open files")), null),
            new SQLTransientConnectionException("warehouse - Connection is not available, request timed out after "
                + "3000ms", new SQLException("The connection attempt failed.", "08001",
                new SocketException("Too many open files"))));
        for (Throwable e : outOfFiles) {
            Problem problem = RefreshFailure.problem(e);
            assertEquals(503, problem.status(), e.toString());
            assertEquals("/problems/out-of-files", problem.type(), e.toString());
            assertEquals(told, problem.detail());
            assertEquals(told + " (" + e.getMessage() + ")", RefreshFailure.recorded(e));
        }
        // The words in a source's line, a file's name or a server's message are not the JDK's reason.
        List<Throwable> notSo = List.of(
            SourceException.content(SourceName.MODERNA, URL, 7L, "jurisdiction", "not a jurisdiction: 'Too many open files'"),
            SourceException.unavailable(SourceName.MODERNA, URL, "x",
                new FileSystemException("/data/Too many open files", null, "Permission denied")),
            SourceException.unavailable(SourceName.MODERNA, URL, "x",
                new NoSuchFileException("/data/Too many open files (Too many open files)/m.csv")),
            new SQLException("ERROR: Too many open files", "P0001"));
        for (Throwable e : notSo) {
            assertEquals(false, OpenFiles.ranOut(e), e.toString());
            assertEquals(false, RefreshFailure.problem(e).type().equals("/problems/out-of-files"), e.toString());
        }
    }

    /**
     * JDBI's message quotes the whole statement and its arguments: the run log keeps the
     * warehouse's words instead, those of the innermost SQL exception (a batch's is the cause of
     * the batch's own).
     */
    @Test
    void aStatementsFailureIsRecordedInTheWarehousesWords() {
        SQLException refused = new SQLException("ERROR: no sources today", "P0001");
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 insert into dwh.refresh_run_sources "
            + "values ('8'::int8, 'moderna', ...) was aborted: ERROR: no sources today", "P0001", new int[0], refused);
        UnableToExecuteStatementException statement = new UnableToExecuteStatementException(batch.getMessage()
            + " [statement:\"insert into dwh.refresh_run_sources ...\", arguments:{named:{run:8}}]", batch, null);
        recordedAsAnswered(statement, 500, RefreshFailure.INTERNAL_ERROR + " (ERROR: no sources today)");
    }
}
