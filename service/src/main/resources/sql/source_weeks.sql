-- The weeks an allocation source covers, from its freshly loaded raw table (the table is filled in
-- by the caller: raw.cdc_moderna_allocations or raw.cdc_pfizer_allocations): recorded with the
-- run's sources (dwh.refresh_run_sources), so a run says which weeks its product sums over.
select min(week_of_allocations) as first_week,
       max(week_of_allocations) as last_week,
       count(distinct week_of_allocations)::integer as weeks
from <table>
