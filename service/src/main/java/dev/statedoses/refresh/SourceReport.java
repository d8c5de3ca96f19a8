package dev.statedoses.refresh;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.statedoses.text.Redaction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;

/**
 * What one source delivered to a refresh: where from, how much, the hash of the exact bytes (as
 * a file: decoded, if it came compressed), the time to fetch, read and load it, how many times it
 * was asked for ({@code attempts}: more than 1 after a transient fault of the upstream), whether it
 * was {@code unchanged} since the last good refresh (its upstream answered 304, or its bytes hash
 * the same), the validators its upstream sent ({@code etag}, {@code lastModified}: sent back by the
 * next refresh, to {@code answeredAt} alone: the URL a redirect led to, redacted, or null when the
 * source's own URL answered), and the weeks of allocations it covers ({@code firstWeek}, {@code lastWeek},
 * {@code weeks} distinct weeks; null for the population source). {@code rowsDigest} is the raw
 * table as the load left it (RawTables#digest; null in runs before V22): kept in the run log for
 * the next refresh to compare with, and not part of the API's answers.
 */
public record SourceReport(String source, String url, long bytes, long rows, String sha256, long loadMs,
                           int attempts, boolean unchanged, String etag, String lastModified,
                           String answeredAt, LocalDate firstWeek, LocalDate lastWeek, Integer weeks,
                           @JsonIgnore String rowsDigest) {

    /**
     * This source as a later refresh found it, not changed: the same bytes, rows and weeks (they
     * stay in the raw table), with that refresh's URL (redacted: a pre-signed one may have been
     * signed again since), time, attempts and validators, and the digest its raw rows give now
     * (the same as before, but for a run from before digests were kept), and where the answer came from.
     */
    SourceReport unchangedSince(String shownUrl, long loadMs, int attempts, String etag, String lastModified,
                                String answeredAt, String keptDigest) {
        return new SourceReport(source, shownUrl, bytes, rows, sha256, loadMs, attempts, true, etag, lastModified,
            answeredAt, firstWeek, lastWeek, weeks, keptDigest);
    }

    /**
     * A row of dwh.refresh_run_sources (sql/runs/run_sources.sql). Its URL is redacted again: a
     * run recorded before URLs were redacted on the way in is shown, and compared, as a new one.
     */
    static SourceReport read(ResultSet rs) throws SQLException {
        return new SourceReport(rs.getString("source"), Redaction.url(rs.getString("url")), rs.getLong("bytes"), rs.getLong("rows"),
            rs.getString("sha256"), rs.getLong("load_ms"), rs.getInt("attempts"), rs.getBoolean("unchanged"),
            rs.getString("etag"), rs.getString("last_modified"), Redaction.url(rs.getString("answered_at")),
            rs.getObject("first_week", LocalDate.class),
            rs.getObject("last_week", LocalDate.class), rs.getObject("weeks", Integer.class),
            rs.getString("rows_digest"));
    }
}
