-- After a prune that deleted runs (refresh/RunLogRetention.java): the four tables it deleted from,
-- vacuumed and analysed, so that the room of the deleted rows is used again by the runs to come.
-- Autovacuum would do it where it runs; on a server with autovacuum = off the run log otherwise
-- kept growing by every run, pruned or not. skip_locked, as after a refresh: a table another
-- session holds a conflicting lock on is skipped, and taken by the next prune that deletes.
vacuum (analyze, skip_locked) dwh.refresh_runs, dwh.refresh_run_sources, dwh.refresh_checks, dwh.refresh_exclusions
