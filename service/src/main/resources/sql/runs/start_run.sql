-- Records a refresh attempt as running, and closes every other run still marked running as
-- abandoned, in one statement (refresh/RefreshRuns.java). The caller holds the refresh lock, so
-- none of those runs can be alive. Answers the id of the new run, its start, and how many runs it
-- closed. The start is the warehouse's clock, as every time in the run log is (an abandoned run's
-- end, the schedule's claims, the product's refreshed_at): a service whose clock is off would
-- otherwise write runs that end before they start, or in a year's time.
with abandoned as (
    update dwh.refresh_runs set status = 'failed', finished_at = now(), error = :abandoned
    where status = 'running'
    returning run_id
)
insert into dwh.refresh_runs (status, started_at, trigger, build)
-- Committed without waiting for the disk: if the server crashed before it got there,
-- no run would claim to be running, which is true. (The run's end waits, as it must.)
select 'running', clock_timestamp(), :trigger, :build
from (select set_config('synchronous_commit', 'off', true)) as quick
returning run_id, started_at, (select count(*) from abandoned) as abandoned
