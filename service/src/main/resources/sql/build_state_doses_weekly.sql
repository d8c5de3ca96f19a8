-- The product week by week (dwh.state_doses_weekly): every state row times every allocation
-- week found anywhere in the sources, with the doses allocated that week and those allocated up
-- to and including it. Cities fold into their states as in sql/build_state_doses.sql. Population,
-- refreshed_at and the run come from the state rows just built, so both tables describe the same
-- refresh. Runs inside the refresh transaction, after sql/build_state_doses.sql; then
-- sql/checks/build/weeks_add_up.sql checks that the weeks add up to the state rows.
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
