-- Takes the refresh lock for the refresh transaction, or answers false at once when another
-- refresh holds it (refresh/RefreshService.java): the one row of dwh.refresh_lock, locked until
-- the transaction ends. Locking it takes the UPDATE privilege on that table, which only its owner
-- has: the read-only login, which may take any advisory lock, cannot hold refreshes off with it.
-- Then the advisory lock on :key, the sign that a refresh is alive that closing abandoned runs
-- looks for (sql/runs/close_abandoned_runs.sql); if another session holds that key, the refresh
-- runs without it, and that session's hold keeps the same promise (no live run is closed).
with refresh_lock as (
    select only_row from dwh.refresh_lock for update skip locked
)
select case when exists (select 1 from refresh_lock)
            then pg_try_advisory_xact_lock(:key) is not null -- taken or not, the row lock is ours
            else false end as taken
