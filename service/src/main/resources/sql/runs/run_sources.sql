-- The sources of a range of refresh runs, run by run, each in the order moderna,
-- pfizer, population: for the run log (GET /refreshes) and for the conditional fetches of the
-- next refresh.
select run_id, source, url, bytes, rows, sha256, load_ms, attempts, unchanged, etag, last_modified,
       answered_at, first_week, last_week, weeks, rows_digest
from dwh.refresh_run_sources
where run_id between :from and :to
order by run_id, case source when 'moderna' then 1 when 'pfizer' then 2 else 3 end
