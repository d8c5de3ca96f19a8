-- A quick look before same_allocations.sql: the rows of one week, the last week both sources
-- reach, compared between the two. A copy of one file served as the other shows in any week; a
-- real pair shares a few rows of zeros there. Only when more than half of that week's Moderna
-- rows are also Pfizer's does the whole comparison run (refresh/Checks.java): it is a join over
-- every staged row, seconds at 300 times the real size, and a real pair never needs it.
with last_week as (
    select least(max(week) filter (where manufacturer = 'moderna'),
                 max(week) filter (where manufacturer = 'pfizer')) as week
    from run_allocation_weeks
),
moderna as (
    select a.jurisdiction, a.first_dose_allocations, a.second_dose_allocations
    from run_allocations a
    join last_week w on a.week_of_allocations = w.week
    where a.manufacturer = 'moderna'
),
pfizer as (
    select a.jurisdiction, a.first_dose_allocations, a.second_dose_allocations
    from run_allocations a
    join last_week w on a.week_of_allocations = w.week
    where a.manufacturer = 'pfizer'
)
select count(*) as rows, count(p.jurisdiction) as common
from moderna m
left join pfizer p
  on p.jurisdiction = m.jurisdiction
 and p.first_dose_allocations = m.first_dose_allocations
 and p.second_dose_allocations = m.second_dose_allocations
