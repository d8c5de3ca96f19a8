-- Doses in a week before the manufacturer's vaccine was first allocated: Pfizer's was authorised
-- on 2020-12-11 and first allocated in the week of 2020-12-14, Moderna's on 2020-12-18, first
-- allocated in the week of 2020-12-21 (the same bounds as checks/plausible_weeks.sql). No such
-- dose exists. Moderna doses in the week of 2020-12-14 are most likely Pfizer's: the two URLs
-- exchanged, which published every state's doses under the other manufacturer while every total
-- stayed right, with only plausible_weeks' warning. Rows of zeros there do no harm and stay that
-- warning; a file cut to later weeks (the lake's) has no such row, and exchanged is not seen.
--
-- The raw tables are read only when run_allocation_weeks (sql/stage_allocations.sql) has such a
-- week: an uncorrelated EXISTS is one test before the scan. The first such line of the first
-- source, with how many rows and doses of its source are so.
with bounds (source, first_week) as (
    values ('pfizer', date '2020-12-14'), ('moderna', date '2020-12-21')
),
early as (
    select 'moderna' as source, line, jurisdiction, week_of_allocations as week,
           first_dose_allocations + second_dose_allocations as doses
    from raw.cdc_moderna_allocations
    where week_of_allocations < date '2020-12-21'
      and first_dose_allocations + second_dose_allocations > 0
      and exists (select 1 from run_allocation_weeks where manufacturer = 'moderna' and week < date '2020-12-21')
    union all
    select 'pfizer', line, jurisdiction, week_of_allocations,
           first_dose_allocations + second_dose_allocations
    from raw.cdc_pfizer_allocations
    where week_of_allocations < date '2020-12-14'
      and first_dose_allocations + second_dose_allocations > 0
      and exists (select 1 from run_allocation_weeks where manufacturer = 'pfizer' and week < date '2020-12-14')
),
per_source as (
    select source, count(*) as rows, sum(doses) as doses
    from early
    group by source
)
select e.source, e.line, e.jurisdiction, e.week, e.doses, b.first_week, s.rows, s.doses as source_doses,
       (select coalesce(j.folds_into, j.name) from dwh.jurisdictions j
        where j.name = e.jurisdiction and j.kind in ('state', 'district', 'city')) as product_state
from early e
join bounds b on b.source = e.source
join per_source s on s.source = e.source
order by e.source, e.line
limit 1
