package dev.statedoses.refresh;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** Reads the log of refresh attempts: {@code dwh.refresh_runs}, their sources and their checks. */
public final class RefreshRunRepository {

    private static final String SOURCES = """
        select run_id, source, url, bytes, rows, sha256, load_ms, attempts, unchanged, etag, last_modified,
               first_week, last_week, weeks
        from dwh.refresh_run_sources""";
    private static final String SOURCE_ORDER =
        " order by run_id, case source when 'moderna' then 1 when 'pfizer' then 2 else 3 end";

    private static final String RUNS = """
        select run_id, status, trigger, started_at, finished_at, state_rows, error
        from dwh.refresh_runs""";

    private final Jdbi jdbi;

    public RefreshRunRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The newest {@code limit} attempts, newest first, each with its sources. (Read in one
     * snapshot, so a refresh committing meanwhile cannot show as succeeded without its sources.)
     */
    public List<RefreshRun> recent(int limit) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            List<Run> runs = h.createQuery(RUNS + " order by run_id desc limit :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> run(rs))
                .list();
            if (runs.isEmpty()) {
                return List.of();
            }
            Map<Long, List<SourceReport>> sources = sources(h, runs.get(runs.size() - 1).runId(), runs.get(0).runId());
            return runs.stream()
                .map(r -> r.with(sources.getOrDefault(r.runId(), List.of()), null))
                .toList();
        });
    }

    /** One attempt with its sources and its checks. */
    public Optional<RefreshRun> find(long runId) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> h.createQuery(RUNS + " where run_id = :run")
            .bind("run", runId)
            .map((rs, ctx) -> run(rs))
            .findOne()
            .map(r -> r.with(sources(h, runId, runId).getOrDefault(runId, List.of()), checks(h, runId))));
    }

    private static Map<Long, List<SourceReport>> sources(Handle h, long fromRun, long toRun) {
        return h.createQuery(SOURCES + " where run_id between :from and :to" + SOURCE_ORDER)
            .bind("from", fromRun)
            .bind("to", toRun)
            .map((rs, ctx) -> Map.entry(rs.getLong("run_id"), source(rs)))
            .list().stream()
            .collect(Collectors.groupingBy(Map.Entry::getKey,
                Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    /** The sources of one run, moderna, pfizer, population. */
    static List<SourceReport> sources(Handle h, long runId) {
        return h.createQuery(SOURCES + " where run_id = :run" + SOURCE_ORDER)
            .bind("run", runId)
            .map((rs, ctx) -> source(rs))
            .list();
    }

    private static SourceReport source(ResultSet rs) throws SQLException {
        return new SourceReport(
            rs.getString("source"),
            rs.getString("url"),
            rs.getLong("bytes"),
            rs.getLong("rows"),
            rs.getString("sha256"),
            rs.getLong("load_ms"),
            rs.getInt("attempts"),
            rs.getBoolean("unchanged"),
            rs.getString("etag"),
            rs.getString("last_modified"),
            rs.getObject("first_week", LocalDate.class),
            rs.getObject("last_week", LocalDate.class),
            rs.getObject("weeks", Integer.class));
    }

    private static List<CheckResult> checks(Handle h, long runId) {
        return h.createQuery("""
                select name, status, detail from dwh.refresh_checks
                where run_id = :run order by position""")
            .bind("run", runId)
            .map((rs, ctx) -> new CheckResult(rs.getString("name"), rs.getString("status"), rs.getString("detail")))
            .list();
    }

    private static Run run(ResultSet rs) throws SQLException {
        Instant started = rs.getObject("started_at", OffsetDateTime.class).toInstant();
        OffsetDateTime finishedAt = rs.getObject("finished_at", OffsetDateTime.class);
        Instant finished = finishedAt == null ? null : finishedAt.toInstant();
        return new Run(rs.getLong("run_id"), rs.getString("status"), rs.getString("trigger"), started, finished,
            rs.getObject("state_rows", Integer.class), rs.getString("error"));
    }

    /** A row of dwh.refresh_runs, before its sources and checks are read. */
    private record Run(long runId, String status, String trigger, Instant startedAt, Instant finishedAt,
                       Integer stateRows, String error) {

        RefreshRun with(List<SourceReport> sources, List<CheckResult> checks) {
            Long durationMs = finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis();
            return new RefreshRun(runId, status, trigger, startedAt, finishedAt, durationMs, stateRows, error,
                List.copyOf(sources), checks == null ? null : List.copyOf(checks));
        }
    }
}
