-- The run a rehearsal of a refresh builds under (refresh/Rehearsal.java): number 0, which no real
-- run has (the identity starts at 1), so that the rehearsal takes no number from the runs' sequence.
-- Its transaction is always rolled back: no one else ever sees it.
insert into dwh.refresh_runs (run_id, status, started_at, trigger, build)
overriding system value
values (0, 'running', now(), 'cli', :build)
returning run_id
