-- A count far out of line with the same place's other weeks: a state's, DC's or counted city's
-- first (or second) doses in one week of one allocation file more than 20 times the average of its
-- other weeks with such doses. Digits too many in one cell passed every other check: Texas's
-- Moderna first doses of 2021-06-21 written 30004000 instead of 300040 put Texas at 0.47 people
-- per dose instead of 0.92, within three times the median of the states, so without a warning.
-- In the real files, complete and cut, no week of a place comes near: its largest week is at
-- most 5.4 times the average of its others (Alaska's Pfizer first doses, in the lake's cut file,
-- 9 weeks), and most are under 1.5. A cell written with two or three digits too many is 100 or
-- 1000 times its own value; one with a single digit too many is caught where it was already
-- twice the average. Judged only over 4 weeks with such doses or more: fewer say nothing of what
-- is usual (the fixtures have one to three weeks). Territories, the freely associated states,
-- Federal Entities and names the reference does not know count for no state, but the refresh's
-- report shows their doses among the exclusions: they are judged too (the real files' go up to
-- 3.1 times, Federal Entities' Moderna doses). Not judging them left one such cell with three
-- digits too many to allocation_scales.sql, which blamed the whole week, without a line.
--
-- One pass over this run's allocations (sql/stage_allocations.sql), grouped by place: the week,
-- its doses and its line are looked for only when some place has such a week. The place whose
-- week is furthest out first.
with series as (
    select manufacturer, jurisdiction, min(counted_in) as state, min(kind) as kind,
           count(*) filter (where first_dose_allocations > 0) as first_weeks,
           sum(first_dose_allocations) as first_total, max(first_dose_allocations) as first_largest,
           count(*) filter (where second_dose_allocations > 0) as second_weeks,
           sum(second_dose_allocations) as second_total, max(second_dose_allocations) as second_largest
    from run_allocations
    group by manufacturer, jurisdiction
),
doses as (
    select s.manufacturer, s.jurisdiction, s.state, s.kind, d.dose, d.weeks, d.total, d.largest,
           (d.total - d.largest)::numeric / (d.weeks - 1) as usual
    from series s
    cross join lateral (values ('first', s.first_weeks, s.first_total, s.first_largest),
                               ('second', s.second_weeks, s.second_total, s.second_largest))
        as d (dose, weeks, total, largest)
    where d.weeks >= 4
),
outlying as materialized (
    select manufacturer, jurisdiction, state, kind, dose, weeks, largest, usual, largest / usual as times,
           count(*) over () as places
    from doses
    where largest > 20 * usual
    order by largest / usual desc, manufacturer, jurisdiction, dose
    limit 1
)
select o.manufacturer as source, o.jurisdiction, o.state, o.kind, o.dose, o.largest as doses, o.weeks - 1 as other_weeks,
       round(o.usual) as usual, round(o.times, 1) as times, o.places, w.week,
       dwh.allocation_line(o.manufacturer, o.jurisdiction, w.week) as line
from outlying o
cross join lateral (select min(a.week_of_allocations) as week
                    from run_allocations a
                    where a.manufacturer = o.manufacturer and a.jurisdiction = o.jurisdiction
                      and case when o.dose = 'first' then a.first_dose_allocations
                               else a.second_dose_allocations end = o.largest) w
