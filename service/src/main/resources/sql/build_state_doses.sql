-- Builds the data product, dwh.state_doses: one row per state and DC, from this refresh's
-- allocations (run_allocations, sql/stage_allocations.sql), its counties (run_counties,
-- sql/stage_counties.sql) and the jurisdiction reference. The transform builds one output table
-- per file, as dbt models do: this one, then sql/build_refresh_exclusions.sql and
-- sql/build_state_doses_weekly.sql (refresh/Transform.java runs them in that order).
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
    -- listed with two populations fails the refresh before this, sql/checks/sources/conflicting_counties.sql).
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
