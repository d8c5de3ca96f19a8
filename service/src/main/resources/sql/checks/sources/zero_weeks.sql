-- A state, DC or counted city with no doses in a few weeks of a national allocation file (one that
-- names 51 or more of the 54, dwh.national_file_places(), V20) that gives it doses in the others:
-- counts written 0 for values lost, as an export may write a missing value. They passed every
-- check, which took a week of 0 for a week without an allocation: Texas's last five Pfizer weeks
-- written 0 put Texas at 1.06 people per dose for 0.92, a random row of 0 passed 20 times in 20.
-- In the real files, complete and cut, only Alaska has weeks of 0 (14 of Moderna's 27, 15 of
-- Pfizer's 28: some months its doses came in one week); every other place has doses every week.
-- So a place is judged when it has doses in three weeks in four or more of the file's weeks; a
-- place of weeks of 0 throughout, or half of them, is not (Alaska; a test's place of no doses).
-- Its weeks of 0 that count are those the other file gives it doses in (below).
-- A week that no file has doses in is sql/checks/sources/lost_weeks.sql's, which runs first.
-- The place with the most such weeks first, with its first such week's line and the first ten.
with series as (
    -- A place's weeks in the weeks of its file with doses: a week of rows of 0 for every place is
    -- no allocation of that maker (Moderna's rows of 0 in Pfizer's first week, before its own).
    select a.manufacturer, a.jurisdiction, min(a.counted_in) as state, count(*) as weeks,
           count(*) filter (where a.first_dose_allocations + a.second_dose_allocations = 0) as zero_weeks
    from run_allocations a
    join run_national_files n using (manufacturer)
    join run_allocation_weeks w on w.manufacturer = a.manufacturer and w.week = a.week_of_allocations
    where a.kind in ('state', 'district', 'city')
      and w.doses > 0
    group by a.manufacturer, a.jurisdiction
),
candidates as materialized (
    select manufacturer, jurisdiction, state, weeks, zero_weeks
    from series
    where zero_weeks > 0 and (weeks - zero_weeks) * 4 >= weeks * 3
),
-- A candidate's weeks of 0 that the other file gives it doses in (read for candidates only: in
-- the real files, complete and cut, there are none). Alaska's weeks of 0 are the same weeks in
-- both files (but Pfizer's of 2020-12-21): the real files cut to a few months of them gave Alaska
-- doses in three weeks in four (2 weeks of 0 in 10), and a place's allocations paused in both
-- files are not values lost from one.
lost as (
    select c.manufacturer, c.jurisdiction, z.week_of_allocations as week
    from candidates c
    join run_allocations z on z.manufacturer = c.manufacturer and z.jurisdiction = c.jurisdiction
    join run_allocation_weeks w on w.manufacturer = z.manufacturer and w.week = z.week_of_allocations
    where z.first_dose_allocations + z.second_dose_allocations = 0
      and w.doses > 0
      and exists (select 1 from run_allocations o
                  where o.manufacturer <> c.manufacturer and o.jurisdiction = c.jurisdiction
                    and o.week_of_allocations = z.week_of_allocations
                    and o.first_dose_allocations + o.second_dose_allocations > 0)
),
judged as materialized (
    select c.manufacturer, c.jurisdiction, c.state, c.weeks, c.weeks - c.zero_weeks as dosed_weeks,
           count(*) as zero_weeks, count(*) over () as places
    from candidates c
    join lost l using (manufacturer, jurisdiction)
    group by c.manufacturer, c.jurisdiction, c.state, c.weeks, c.zero_weeks
    order by count(*) desc, c.manufacturer, c.jurisdiction
    limit 1
)
select j.manufacturer as source, j.jurisdiction, j.state, j.weeks, j.zero_weeks, j.dosed_weeks, j.places,
       z.first_week, z.first_ten,
       dwh.allocation_line(j.manufacturer, j.jurisdiction, z.first_week) as line
from judged j
cross join lateral (
    select min(week) as first_week, string_agg(week::text, ', ' order by week) as first_ten
    from (select l.week
          from lost l
          where l.manufacturer = j.manufacturer and l.jurisdiction = j.jurisdiction
          order by l.week
          limit 10) t
) z
