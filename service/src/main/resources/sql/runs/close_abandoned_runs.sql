-- Closes, as abandoned, the runs left running by a process that stopped, if no refresh holds the
-- refresh lock (refresh/RefreshRuns.java): a refresh holds it for its whole life, so a run still
-- running while nobody holds it is dead. Looks at the lock without taking it, so a refresh
-- starting now is never refused for it. One statement: a run row it can see was inserted under the
-- lock, so if the lock is free now, the refresh of that run has ended (a success updated the row
-- at its commit, which this update then sees; a failure is recorded over the mark). The key of the
-- lock is given as its high and low 32 bits, as pg_locks shows an advisory lock on a bigint.
update dwh.refresh_runs set status = 'failed', finished_at = now(), error = :abandoned
where status = 'running'
  and not exists (select 1 from pg_locks
                  where locktype = 'advisory' and granted
                    and database = (select oid from pg_database
                                    where datname = current_database())
                    and classid = :high::bigint::oid and objid = :low::bigint::oid
                    and objsubid = 1)
