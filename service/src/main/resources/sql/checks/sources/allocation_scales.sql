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
--
-- A week over 4 times the median because of one row is that row's fault, not the week's: the week
-- without its largest row within 4 times. It is named with its line (one count of Guam's with
-- five digits too many put its week at 300 times, blamed on every count of the week, without a
-- line). Such a row of a place with 4 weeks of doses or more is outlying_allocations.sql's, which
-- runs first; this names it in a place with fewer weeks, or in a week so small that one count
-- moves it.
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
           null::numeric as rate, null::text as other, null::numeric as other_rate,
           r.jurisdiction, r.counted_in as state, r.kind, r.first_line as line,
           case when r.first_dose_allocations >= r.second_dose_allocations then 'first' else 'second' end as dose,
           greatest(r.first_dose_allocations, r.second_dose_allocations) as row_doses,
           round(((w.doses - r.doses) / w.median)::numeric, 2) as times_without
    from (select * from scaled_weeks order by greatest(times, 1 / times) desc, manufacturer, week limit 1) w
    -- The week's largest row, where the week without it is within 4 times the median.
    left join lateral (select a.*, a.first_dose_allocations + a.second_dose_allocations as doses
                       from run_allocations a
                       where a.manufacturer = w.manufacturer and a.week_of_allocations = w.week
                       order by a.first_dose_allocations + a.second_dose_allocations desc, a.first_line
                       limit 1) r on w.times > 4 and w.doses - r.doses <= 4 * w.median
    union all
    select 'file', f.manufacturer, null, null, null, round(f.times::numeric, 2), null,
           round(f.rate::numeric, 4), f.other, round(f.other_rate::numeric, 4),
           null, null, null, null, null, null, null
    from scaled_files f
) scaled
order by fault = 'file'
