-- Builds the data product (dwh.state_doses, and week by week dwh.state_doses_weekly) from this
-- refresh's allocations (run_allocations, sql/stage_allocations.sql), its counties (run_counties,
-- sql/stage_counties.sql) and the jurisdiction reference.
-- Runs inside the refresh transaction, so readers see the old rows until it commits.
-- The run id comes from the transaction-local setting state_doses.run_id.

delete from dwh.state_doses;

with state_allocations as (
    -- A city's doses count for its state (counted_in).
    select counted_in as state, sum(doses_moderna) as doses_moderna, sum(doses_pfizer) as doses_pfizer
    from run_allocations
    where kind in ('state', 'district', 'city')
    group by counted_in
),
state_population as (
    -- Each county once: a line repeated word for word does not count its people twice (a county
    -- listed with two populations fails the refresh before this, sql/conflicting_counties.sql).
    select state, sum(population) as population
    from run_counties
    group by state
),
product as (
    select j.name as state,
           j.state_code,
           p.population,
           coalesce(a.doses_moderna, 0) as doses_moderna,
           coalesce(a.doses_pfizer, 0)  as doses_pfizer
    from dwh.jurisdictions j
    join state_population p on p.state = j.name
    left join state_allocations a on a.state = j.name
    where j.kind in ('state', 'district')
)
insert into dwh.state_doses (state, state_code, population, doses_moderna, doses_pfizer,
                             doses_total, people_per_dose, refreshed_at, run_id)
select state,
       state_code,
       population,
       doses_moderna,
       doses_pfizer,
       doses_moderna + doses_pfizer,
       round(population::numeric / nullif(doses_moderna + doses_pfizer, 0), 4),
       -- When this statement started: after the sources were loaded, the same for every row.
       statement_timestamp(),
       current_setting('state_doses.run_id')::bigint
from product;

-- Everything allocated that no state row holds: territories, freely associated states,
-- Federal Entities, and any name the reference does not know. With the state rows, this
-- accounts for every dose in the sources.
insert into dwh.refresh_exclusions (run_id, jurisdiction, kind, doses_moderna, doses_pfizer, doses_total)
select current_setting('state_doses.run_id')::bigint,
       jurisdiction,
       coalesce(kind, 'unknown'),
       sum(doses_moderna),
       sum(doses_pfizer),
       sum(doses_moderna + doses_pfizer)
from run_allocations
where kind is null or kind not in ('state', 'district', 'city')
group by jurisdiction, kind;

-- The product week by week (dwh.state_doses_weekly): every state row times every allocation
-- week found anywhere in the sources, with the doses allocated that week and those allocated up
-- to and including it. Cities fold into their states as above. Population, refreshed_at and the
-- run come from the state rows just built, so both tables describe the same refresh.
delete from dwh.state_doses_weekly;

with weeks as (
    select distinct week_of_allocations as week from run_allocations
),
allocated as (
    -- Every state row in every week with 0 doses, and the doses allocated: summed per state and
    -- week below, a week without allocation rows for a state is a week of 0 doses for it. (One
    -- aggregate over both, rather than the grid of states and weeks joined to the allocations:
    -- the same rows, without a join the planner, lacking statistics for the staged table, made a
    -- merge join filtering 20 rows for every one it kept.)
    select s.state, w.week, 0::bigint as doses_moderna, 0::bigint as doses_pfizer
    from dwh.state_doses s
    cross join weeks w
    union all
    select counted_in, week_of_allocations, doses_moderna, doses_pfizer
    from run_allocations
    where kind in ('state', 'district', 'city')
),
state_weeks as (
    select state, week, sum(doses_moderna) as doses_moderna, sum(doses_pfizer) as doses_pfizer
    from allocated
    group by state, week
),
grid as (
    select s.state, s.state_code, s.population, s.refreshed_at, s.run_id, a.week,
           a.doses_moderna, a.doses_pfizer
    from state_weeks a
    join dwh.state_doses s on s.state = a.state
),
cumulative as (
    select grid.*,
           sum(doses_moderna) over up_to_week as doses_moderna_cumulative,
           sum(doses_pfizer)  over up_to_week as doses_pfizer_cumulative
    from grid
    window up_to_week as (partition by state order by week)
)
insert into dwh.state_doses_weekly (state, state_code, week, doses_moderna, doses_pfizer,
                                    doses_moderna_cumulative, doses_pfizer_cumulative,
                                    doses_total_cumulative, people_per_dose, refreshed_at, run_id)
select state, state_code, week, doses_moderna, doses_pfizer,
       doses_moderna_cumulative, doses_pfizer_cumulative,
       doses_moderna_cumulative + doses_pfizer_cumulative,
       round(population::numeric / nullif(doses_moderna_cumulative + doses_pfizer_cumulative, 0), 4),
       refreshed_at,
       run_id
from cumulative;

-- The weeks must add up to the product: a state's last week holds all its doses (and a state
-- without any week, which only sources without allocation rows could give, holds none).
-- Otherwise the refresh fails and rolls back, and the last good product stays.
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
