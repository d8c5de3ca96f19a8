-- A jurisdiction and week that a source lists twice with different values: the source
-- contradicts itself, so no total built from it can be trusted. (A row repeated verbatim
-- is harmless: raw.allocations drops it.)
with allocation_rows as (
    select 'moderna' as source, line, jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations
    from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations
    from raw.cdc_pfizer_allocations
)
select source,
       jurisdiction,
       week_of_allocations,
       array_agg(line order by line) as lines
from allocation_rows
group by source, jurisdiction, week_of_allocations
having count(distinct (first_dose_allocations, second_dose_allocations)) > 1
order by min(line)
limit 1
