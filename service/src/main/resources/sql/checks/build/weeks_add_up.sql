-- The weeks must add up to the product: a state's last week in dwh.state_doses_weekly
-- (sql/build_state_doses_weekly.sql) holds all its doses in dwh.state_doses (and a state without
-- any week, which only sources without allocation rows could give, holds none). Run right after
-- the build, as part of it: otherwise the build fails, the refresh rolls back, and the last good
-- product stays. It can only fail if the transform itself is wrong, never because of a source.
do $$
declare
    wrong text;
begin
    select string_agg(s.state || ' (' || s.doses_moderna || '/' || s.doses_pfizer || ' in state_doses, '
                      || coalesce(w.doses_moderna_cumulative::text, 'no week') || '/'
                      || coalesce(w.doses_pfizer_cumulative::text, 'no week') || ' by week)', ', '
                      order by s.state)
    into wrong
    from dwh.state_doses s
    left join lateral (
        select doses_moderna_cumulative, doses_pfizer_cumulative
        from dwh.state_doses_weekly w
        where w.state = s.state
        order by w.week desc
        limit 1
    ) w on true
    where coalesce(w.doses_moderna_cumulative, 0) <> s.doses_moderna
       or coalesce(w.doses_pfizer_cumulative, 0) <> s.doses_pfizer;
    if wrong is not null then
        raise exception 'dwh.state_doses_weekly does not add up to dwh.state_doses: %', wrong;
    end if;
end
$$;
