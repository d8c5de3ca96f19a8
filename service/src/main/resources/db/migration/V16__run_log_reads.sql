-- GET /health and GET /metrics read the run log at every call, and it grows by one row per
-- refresh without end (about 1,900 rows a day with REFRESH_INTERVAL=45s). Both read a sequential
-- scan of the whole table: the last successful run was found by sorting every run, and the runs
-- counter by grouping every run. At 100,000 runs that held pool connections long enough to starve
-- the refreshes and the reads under a polling monitor. What they read now costs the same at any
-- length of the log:
--
-- the last run that ended well: the first entry of this index (the health query's own order);
create index refresh_runs_last_success on dwh.refresh_runs (finished_at desc, run_id desc)
    where status in ('succeeded', 'unchanged');
-- the runs running now: the few entries of this one;
create index refresh_runs_running on dwh.refresh_runs (run_id) where status = 'running';

-- and the ended runs by status: one row per status, kept by a trigger as each run ends.
create table dwh.refresh_run_totals (
    status  text             primary key check (status in ('succeeded', 'unchanged', 'failed')),
    runs    bigint           not null,
    seconds double precision not null
);

insert into dwh.refresh_run_totals (status, runs, seconds)
select status, count(*), coalesce(sum(extract(epoch from finished_at - started_at)), 0)
from dwh.refresh_runs
where status <> 'running'
group by status;

-- Counts a run when it ends (or is written ended). A run changed again after it ended (by hand)
-- moves from its old status to its new one. Deleting runs (pruning the log) leaves the totals as
-- they were: they count every run that ended on this warehouse, so the counter never goes down.
create function dwh.refresh_run_ended() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        if old.status = new.status and old.started_at = new.started_at
           and old.finished_at is not distinct from new.finished_at then
            return null;
        end if;
        if old.status <> 'running' then
            update dwh.refresh_run_totals
            set runs = runs - 1,
                seconds = seconds - coalesce(extract(epoch from old.finished_at - old.started_at), 0)
            where status = old.status;
        end if;
    end if;
    if new.status <> 'running' then
        insert into dwh.refresh_run_totals as t (status, runs, seconds)
        values (new.status, 1, coalesce(extract(epoch from new.finished_at - new.started_at), 0))
        on conflict (status) do update set runs = t.runs + 1, seconds = t.seconds + excluded.seconds;
    end if;
    return null;
end
$$;

create trigger refresh_run_ended
    after insert or update of status, started_at, finished_at on dwh.refresh_runs
    for each row execute function dwh.refresh_run_ended();

comment on index dwh.refresh_runs_last_success is
    'The runs that ended well, newest first: GET /health and the metrics read the first entry.';
comment on index dwh.refresh_runs_running is 'The runs running now: the metrics count them.';
comment on table dwh.refresh_run_totals is
    'The runs that ended, by status: how many, and their summed duration. Kept by the trigger refresh_run_ended '
    'on dwh.refresh_runs as each run ends; deleting runs leaves it as it is. Read by GET /metrics.';
comment on column dwh.refresh_run_totals.status is 'succeeded, unchanged or failed.';
comment on column dwh.refresh_run_totals.runs is 'How many runs ended with it.';
comment on column dwh.refresh_run_totals.seconds is 'Their summed duration (finished_at - started_at), seconds.';
comment on function dwh.refresh_run_ended() is
    'Counts a run in dwh.refresh_run_totals when it ends, or moves it when an ended run changes status.';
