-- A state, DC or counted city with no doses in a few weeks of a national allocation file (one that
-- names 51 or more of the 54, dwh.national_file_places(), V20) that gives it doses in the others:
-- counts written 0 for values lost, as an export may write a missing value. They passed every
-- check, which took a week of 0 for a week without an allocation: Texas's last five Pfizer weeks
-- written 0 put Texas at 1.06 people per dose for 0.92, a random row of 0 passed 20 times in 20.
-- In the real files, complete and cut, only Alaska has weeks of 0 (14 of Moderna's 27, 15 of
-- Pfizer's 28: some months its doses came in one week); every other place has doses every week.
-- So a place is judged when it has doses in three weeks in four or more of the file's weeks; a
-- place of weeks of 0 throughout, or half of them, is not (Alaska; a test's place of no doses).
-- A week that no file has doses in is sql/checks/sources/lost_weeks.sql's, which runs first.
-- The place with the most such weeks first, with its first such week's line and the first ten.
with series as (
    select a.manufacturer, a.jurisdiction, min(a.counted_in) as state, count(*) as weeks,
           count(*) filter (where a.first_dose_allocations + a.second_dose_allocations = 0) as zero_weeks
    from run_allocations a
    join run_national_files n using (manufacturer)
    where a.kind in ('state', 'district', 'city')
    group by a.manufacturer, a.jurisdiction
),
judged as materialized (
    select manufacturer, jurisdiction, state, weeks, zero_weeks, count(*) over () as places
    from series
    where zero_weeks > 0 and (weeks - zero_weeks) * 4 >= weeks * 3
    order by zero_weeks desc, manufacturer, jurisdiction
    limit 1
)
select j.manufacturer as source, j.jurisdiction, j.state, j.weeks, j.zero_weeks, j.places, z.first_week, z.first_ten,
       dwh.allocation_line(j.manufacturer, j.jurisdiction, z.first_week) as line
from judged j
cross join lateral (
    select min(week) as first_week, string_agg(week::text, ', ' order by week) as first_ten
    from (select a.week_of_allocations as week
          from run_allocations a
          where a.manufacturer = j.manufacturer and a.jurisdiction = j.jurisdiction
            and a.first_dose_allocations + a.second_dose_allocations = 0
          order by a.week_of_allocations
          limit 10) t
) z
