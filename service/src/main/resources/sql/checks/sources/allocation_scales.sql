-- A national allocation file, or one of its weeks, at another scale than the rest: every count of a
-- week written ten times over, or a whole file in other units (Pfizer's counted in vials of six
-- doses). Each place's weeks stay in line with each other and with the other places, so no check
-- of a place sees it: Pfizer's week of 2021-03-15 ten times over put Alabama at 0.71 people per
-- dose for 0.86, Pfizer's file in vials at 1.57.
-- * a week: its doses (every place's, states' and the rest) over 4 times, or under a quarter of,
--   the file's median week. In the real files, complete and cut, every week is within 0.45 and
--   1.74 times it (the first weeks, as allocations started).
-- * a file: its doses per 2020 census resident and week (over the states and DC) against the
--   other national file's, over 3 times or under a third. The real files' are 0.018 (Moderna) and
--   0.021 (Pfizer) complete, 0.020 and 0.027 cut. The file named is the one further from 0.022:
--   which of two is at fault, only what is usual can say.
-- Judged only in national files (51 or more of the 54 places, dwh.national_file_places(), V20),
-- the files compared only when both are. The week furthest out first, then the files.
with medians as (
    select w.manufacturer, percentile_cont(0.5) within group (order by w.doses) as median
    from run_allocation_weeks w
    join run_national_files n using (manufacturer)
    group by w.manufacturer
),
scaled_weeks as (
    -- Under a quarter only in a week of every place the file names: a file cut after so many rows
    -- (the lake's are) stops inside its last week, short of the places after the cut and of their
    -- doses; a week short of places elsewhere is lines lost, sql/checks/sources/places_missing_weeks.sql's.
    -- And with doses: a week of rows of 0 only is a week the other file has doses in
    -- (uncovered_weeks) or neither has (lost_weeks, or a week listed ahead of its allocations).
    select w.manufacturer, w.week, w.doses, m.median, w.doses / m.median as times
    from run_allocation_weeks w
    join medians m using (manufacturer)
    join run_national_files n using (manufacturer)
    where m.median > 0
      and (w.doses > 4 * m.median or (w.doses * 4 < m.median and w.places >= n.places and w.doses > 0))
),
rates as (
    -- Each national file's doses per census resident and week, over the states and DC.
    select a.manufacturer, sum(a.first_dose_allocations + a.second_dose_allocations)::float8
               / (select sum(census_2020_population) from dwh.jurisdictions)
               / count(distinct a.week_of_allocations) as rate
    from run_allocations a
    join run_national_files n using (manufacturer)
    where a.population is not null
    group by a.manufacturer
),
scaled_files as (
    select r.manufacturer, r.rate, o.manufacturer as other, o.rate as other_rate, r.rate / o.rate as times
    from rates r
    join rates o on o.manufacturer <> r.manufacturer
    where (r.rate > 3 * o.rate or r.rate * 3 < o.rate)
      and abs(ln(r.rate / 0.022)) > abs(ln(o.rate / 0.022))
)
select *
from (
    select 'week' as fault, w.manufacturer as source, w.week, w.doses::bigint as doses, round(w.median)::bigint as median,
           round(w.times::numeric, 2) as times, (select count(*) from scaled_weeks) as weeks,
           null::numeric as rate, null::text as other, null::numeric as other_rate
    from (select * from scaled_weeks order by greatest(times, 1 / times) desc, manufacturer, week limit 1) w
    union all
    select 'file', f.manufacturer, null, null, null, round(f.times::numeric, 2), null,
           round(f.rate::numeric, 4), f.other, round(f.other_rate::numeric, 4)
    from scaled_files f
) scaled
order by fault = 'file'
