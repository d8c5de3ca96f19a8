-- Builds the data product from this refresh's raw tables and the jurisdiction reference.
-- Runs inside the refresh transaction, so readers see the old rows until it commits.
-- The run id comes from the transaction-local setting state_doses.run_id.

delete from dwh.state_doses;

with allocated as (
    select a.jurisdiction,
           j.kind,
           -- A city's doses count for the state whose counties hold its people.
           coalesce(j.folds_into, a.jurisdiction) as counted_in,
           case when a.manufacturer = 'moderna'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end as moderna,
           case when a.manufacturer = 'pfizer'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end as pfizer
    from raw.allocations a
    left join dwh.jurisdictions j on j.name = a.jurisdiction
),
state_allocations as (
    select counted_in as state, sum(moderna) as doses_moderna, sum(pfizer) as doses_pfizer
    from allocated
    where kind in ('state', 'district', 'city')
    group by counted_in
),
state_population as (
    select state, sum(population_estimate_2018) as population
    from raw.county_population
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
       a.jurisdiction,
       coalesce(j.kind, 'unknown'),
       sum(case when a.manufacturer = 'moderna'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end),
       sum(case when a.manufacturer = 'pfizer'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end),
       sum(a.first_dose_allocations + a.second_dose_allocations)
from raw.allocations a
left join dwh.jurisdictions j on j.name = a.jurisdiction
where j.kind is null or j.kind not in ('state', 'district', 'city')
group by a.jurisdiction, j.kind;
