-- A raw table's rows as a digest (refresh/RawTables.java fills in the table): how many, and the
-- sum of a 64-bit hash of each row's text, all of its columns (the run and line as well as the
-- values). The order of the rows does not count; any row added, removed or changed does, but for
-- a hash collision. Computed after each load, and again when a source is unchanged, to tell
-- whether the rows that load left are still there (dwh.refresh_run_sources.rows_digest).
select count(*) || ':' || coalesce(sum(hashtextextended(r::text, 0)), 0)
from %s r
