-- Takes the refresh lock for the refresh transaction, or answers false at once when another
-- refresh holds it (refresh/RefreshService.java): the one row of dwh.refresh_lock, locked until
-- the transaction ends. Locking it takes the UPDATE privilege on that table, which only its owner
-- has: the read-only login, which may take any advisory lock, cannot hold refreshes off with it.
-- The lock on the table that locking the row holds as long (ROW SHARE) is also the sign that
-- the refresh is alive, which closing abandoned runs looks for (sql/runs/close_abandoned_runs.sql).
-- A caller turned away holds that table lock too, until it rolls back a moment later.
with refresh_lock as (
    select only_row from dwh.refresh_lock for update skip locked
)
select exists (select 1 from refresh_lock) as taken
