-- Closes, as abandoned, the runs left running by a process that stopped, if no refresh is alive
-- (refresh/RefreshRuns.java). A refresh locks the row of dwh.refresh_lock for its whole
-- transaction (sql/runs/take_refresh_lock.sql), and so holds a ROW SHARE lock on that table as
-- long, which pg_locks shows: a run still running while no session of this database holds it is
-- dead. Not an advisory lock: any login may take or leave any advisory key, and a read-only
-- session that held the refresh's key when a refresh started (which then ran without it), then
-- let go, made that live run look dead. No session can take a refresh's own lock away. One
-- without the privilege can still hold this mode for a while (a statement prepared in an open
-- transaction: PostgreSQL locks the table when it analyses the statement and checks privileges
-- when it runs it), and a caller turned away holds it for a moment: that only keeps dead runs
-- open until it lets go (and the next refresh closes them anyway, sql/runs/start_run.sql).
-- Looks at the lock without taking it, so a refresh starting now is never refused for it. One
-- statement: a run row it can see was inserted under the lock, so if the lock is not held now,
-- the refresh of that run has ended (a success updated the row at its commit, which this update
-- then re-reads, in READ COMMITTED, and leaves; a failure that its transaction could not record,
-- the connection lost, is recorded from another one over the mark).
-- pg_locks shows the locks of every database, and a relation's oid is unique only within one.
update dwh.refresh_runs set status = 'failed', finished_at = now(), error = :abandoned
where status = 'running'
  and not exists (select 1 from pg_locks
                  where locktype = 'relation' and mode = 'RowShareLock' and granted
                    and database = (select oid from pg_database where datname = current_database())
                    and relation = 'dwh.refresh_lock'::regclass)
