-- After a refresh (refresh/ProductVacuum.java): the product's tables and the run log's rows that
-- every refresh leaves dead (the product deleted and inserted again, a refused refresh's rows
-- rolled back, the run's row updated, and its status's row of refresh_run_totals updated by the
-- trigger as it ends), vacuumed and analysed. skip_locked: a table another session holds a
-- conflicting lock on (an analyst's LOCK TABLE, a VACUUM FULL) is skipped, not waited for; the
-- next refresh's vacuum takes it.
vacuum (analyze, skip_locked) dwh.state_doses, dwh.state_doses_weekly, dwh.refresh_runs, dwh.refresh_run_totals
