-- The weeks an allocation source covers, from its freshly loaded raw table: recorded with the
-- run's sources (dwh.refresh_run_sources), so a run says which weeks its product sums over.
with weeks as (
    select 'moderna' as source, week_of_allocations from raw.cdc_moderna_allocations
    union all
    select 'pfizer', week_of_allocations from raw.cdc_pfizer_allocations
)
select min(week_of_allocations) as first_week,
       max(week_of_allocations) as last_week,
       count(distinct week_of_allocations)::integer as weeks
from weeks
where source = :source
