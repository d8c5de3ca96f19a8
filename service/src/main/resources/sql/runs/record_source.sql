-- One source of a refresh run (refresh/SourceReport.java): where it came from, how much, its
-- hash, the time and attempts it took, whether it was unchanged, its validators and the URL that
-- sent them, its weeks and the digest of the raw rows it left. Sent in one batch for all the
-- sources of a run, as the run ends.
insert into dwh.refresh_run_sources (run_id, source, url, bytes, rows, sha256, load_ms, attempts,
                                     unchanged, etag, last_modified, answered_at, first_week, last_week,
                                     weeks, rows_digest)
values (:run, :source, :url, :bytes, :rows, :sha256, :loadMs, :attempts, :unchanged, :etag,
        :lastModified, :answeredAt, :firstWeek, :lastWeek, :weeks, :rowsDigest)
