-- The trigger that keeps dwh.refresh_run_totals (V16) ran in the statement that records a run's
-- end: a totals table renamed, dropped or altered by hand failed that statement, so the run could
-- never be recorded as ended and stayed 'running' in the log, with a retry every 3 s that could
-- not succeed. The totals are only a count for GET /metrics; the run log is what the service
-- promises. So a totals table that refuses the count now costs the count, with a warning, and
-- never the run's record. A lock wait, a deadlock or a cancel still fail the statement, as they
-- did: those pass, and the record is tried again as before.
create or replace function dwh.refresh_run_ended() returns trigger language plpgsql as $$
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
exception
    when lock_not_available or deadlock_detected or serialization_failure then
        raise;
    when others then
        raise warning 'run % is not counted in dwh.refresh_run_totals: % (SQLSTATE %)',
            new.run_id, sqlerrm, sqlstate;
        return null;
end
$$;

comment on function dwh.refresh_run_ended() is
    'Counts a run in dwh.refresh_run_totals when it ends, or moves it when an ended run changes status. '
    'A totals table changed by hand costs the count (a warning), never the run''s record.';
