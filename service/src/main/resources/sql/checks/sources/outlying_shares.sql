-- A count out of line with the place's usual share of its week: a digit too many or too few in
-- one cell. The CDC shared each week's doses out to the jurisdictions by population, so a place's
-- doses of a week over the week's level (the doses per 2020 census resident of the other states
-- and DC that week) hardly move from week to week. Its usual share is the median of its weeks';
-- in the real files, complete and cut, every place's weeks are within 0.9 and 1.3 times it, and
-- Alaska's up to 5.0 (some months, Alaska's doses came in one week). A cell with one digit too
-- many is about 10 times its usual share, one with a digit too few about a tenth: more than 8
-- times, or less than an eighth, fails. sql/checks/sources/outlying_allocations.sql, which compares a place's
-- largest week with the average of its others, needs 20 times: over the real files, with one
-- count of 300 picked at random multiplied by ten, it caught none; this catches all but a few of
-- Alaska's, both ways, and two cells of one place a digit off as well as one.
--
-- Judged: the states, DC and counted cities (a city needs no census count: its own weeks' shares
-- are compared), each dose of each file apart, in the weeks that 10 states or more with a census
-- count give (a file of a few states, as the fixtures are, has none), and only the place's weeks
-- with such doses (a week of 0 is a week without an allocation, not a digit lost), from 4 of
-- them. The week furthest out first, with the doses its usual share gives that week.
with weeks as (
    -- Each week's doses over the states and DC, and their residents.
    select manufacturer, week_of_allocations as week,
           sum(first_dose_allocations)::float8 as first, sum(second_dose_allocations)::float8 as second,
           sum(population)::float8 as population
    from run_allocations
    where population is not null
    group by manufacturer, week_of_allocations
    having count(*) >= 10
),
shares as not materialized (
    -- A place's doses over the week's level, its share: the level is the other states' doses per
    -- resident (a state's own cell is left out of it, so that a digit too many there does not
    -- raise it; a city's level is the states'). 0 in a week of no such doses, null in a week of no level.
    select a.manufacturer, a.jurisdiction, a.counted_in as state, a.week_of_allocations as week,
           a.first_dose_allocations as first_doses, a.second_dose_allocations as second_doses,
           l.first as first_level, l.second as second_level,
           a.first_dose_allocations / nullif(l.first, 0) * sign(a.first_dose_allocations) as first,
           a.second_dose_allocations / nullif(l.second, 0) * sign(a.second_dose_allocations) as second
    from run_allocations a
    join weeks w on w.manufacturer = a.manufacturer and w.week = a.week_of_allocations
    cross join lateral (
        select (w.first - case when a.population is null then 0 else a.first_dose_allocations end)
                   / (w.population - coalesce(a.population, 0)) as first,
               (w.second - case when a.population is null then 0 else a.second_dose_allocations end)
                   / (w.population - coalesce(a.population, 0)) as second
    ) l
    where a.kind in ('state', 'district', 'city')
),
series as (
    -- Grouped by byte order: the sort is the grouping's, not anyone's reading. A place's usual
    -- share is the median of its weeks' (weeks of no such doses left out): cells a digit off in
    -- a few weeks do not move it, as they moved a mean.
    select manufacturer collate "C" as manufacturer, jurisdiction collate "C" as jurisdiction, min(state) as state,
           count(nullif(first, 0)) as first_weeks, max(first) as first_max, min(nullif(first, 0)) as first_min,
           percentile_cont(0.5) within group (order by nullif(first, 0)) as first_usual,
           count(nullif(second, 0)) as second_weeks, max(second) as second_max, min(nullif(second, 0)) as second_min,
           percentile_cont(0.5) within group (order by nullif(second, 0)) as second_usual
    from shares
    group by 1, 2
),
doses as (
    select s.manufacturer, s.jurisdiction, s.state, d.dose, d.weeks, d.largest, d.smallest, d.usual
    from series s
    cross join lateral (values ('first', s.first_weeks, s.first_usual, s.first_max, s.first_min),
                               ('second', s.second_weeks, s.second_usual, s.second_max, s.second_min))
        as d (dose, weeks, usual, largest, smallest)
    where d.weeks >= 4
),
outlying as materialized (
    select manufacturer, jurisdiction, state, dose, weeks, usual,
           case when largest / usual >= usual / smallest then largest else smallest end as share,
           count(*) over () as counts
    from doses
    where largest > 8 * usual or smallest * 8 < usual
    order by greatest(largest / usual, usual / smallest) desc, manufacturer, jurisdiction, dose
    limit 1
)
-- The week of that share, its doses and its line; and what the usual share gives that week.
select o.manufacturer as source, o.jurisdiction, o.state, o.dose, w.doses, w.week, o.weeks - 1 as other_weeks,
       round(o.usual * w.level)::bigint as usual, o.share / o.usual as times, o.counts,
       dwh.allocation_line(o.manufacturer, o.jurisdiction, w.week) as line
from outlying o
cross join lateral (
    select s.week,
           case when o.dose = 'first' then s.first_doses else s.second_doses end as doses,
           case when o.dose = 'first' then s.first_level else s.second_level end as level
    from shares s
    where s.manufacturer = o.manufacturer and s.jurisdiction = o.jurisdiction
      and case when o.dose = 'first' then s.first else s.second end = o.share
    order by s.week
    limit 1
) w
