-- A place's share of one national file's doses far from its share of the other's: its series of
-- one file scaled, or another jurisdiction's rows added to its own, in one file only. The CDC
-- shared both makers' doses out by the same population figures, so a state's, DC's or counted
-- city's share of Moderna's doses and of Pfizer's are nearly the same: in the real files,
-- complete and cut, every place's Pfizer share is within 0.98 and 1.09 times its Moderna share.
-- Against the median place's (one place far off moves every other's share a little, not the
-- median), over 1.5 times or under 1/1.5 fails. What loaded before, each week in line with the
-- place's other weeks and each file's states within 2 times their census share: Texas's Pfizer
-- counts doubled (Texas at 0.60 people per dose for 0.92), New York's Moderna rows holding New
-- York City's too (0.70 for 0.84).
--
-- A share is over the weeks the place has in both files (Pfizer's began a week before Moderna's,
-- and a cut file stops inside its last week), each file's doses of those weeks over all places'
-- in the same place-weeks. Judged only when both files are national (51 or more of the 54
-- places, run_national_files) and agree: 3 places in 4 or more within 0.8 and 1.25 times the
-- median (a test's pair of unrelated counts is not judged); a place from 4 such weeks with doses
-- in both files (no doses at all is sql/checks/sources/state_shares.sql's). A place with weeks of
-- 0 among them gets its doses in lumps (the real Alaska's, some months, in one week; not in the
-- same weeks in both files at first), and fails only over 2 times or under half: over any 4 weeks
-- or more of the real files, Alaska is within 0.65 (the files as they stood at 2021-01-25) and
-- 1.23. Which file is at fault only a third count can say: the file named is the one where the
-- place's state (with its counted cities) is further from the median state's doses per 2020
-- census resident. The place furthest off first, with how many are so.
with common as (
    -- Each place's weeks in both files, with the doses of all places' such weeks.
    select g.*, sum(g.moderna) over (partition by g.week) as week_moderna,
           sum(g.pfizer) over (partition by g.week) as week_pfizer
    from (
        select a.jurisdiction, a.counted_in, a.week_of_allocations as week,
               sum(a.doses_moderna::float8) as moderna, sum(a.doses_pfizer::float8) as pfizer
        from run_allocations a
        where a.kind in ('state', 'district', 'city')
          and (select count(*) from run_national_files) = 2
        group by a.jurisdiction, a.counted_in, a.week_of_allocations
        having count(*) = 2
    ) g
),
shares as (
    select jurisdiction, counted_in, count(*) as weeks, sum(moderna) as moderna, sum(pfizer) as pfizer,
           count(*) filter (where moderna = 0 or pfizer = 0) as paused_weeks,
           sum(moderna) / nullif(sum(week_moderna), 0) as moderna_share,
           sum(pfizer) / nullif(sum(week_pfizer), 0) as pfizer_share
    from common
    group by jurisdiction, counted_in
    having count(*) >= 4 and sum(moderna) > 0 and sum(pfizer) > 0
),
ratios as (
    select s.*, s.pfizer_share / s.moderna_share as ratio
    from shares s
),
level as materialized (
    select percentile_cont(0.5) within group (order by ratio) as level,
           count(*) as places
    from ratios
),
judged as (
    select r.*, r.ratio / l.level as times, l.places,
           count(*) filter (where r.ratio / l.level between 0.8 and 1.25) over () as within
    from ratios r
    cross join level l
),
off as materialized (
    select j.*, count(*) over () as off_places
    from judged j
    where j.within * 4 >= j.places * 3
      and (j.paused_weeks = 0 and (j.times > 1.5 or j.times * 1.5 < 1)
           or j.paused_weeks > 0 and (j.times > 2 or j.times * 2 < 1))
    order by greatest(j.times, 1 / j.times) desc, j.jurisdiction
    limit 1
),
state_rates as (
    -- Each file's doses of the off place's state (its counted cities with it) per census resident,
    -- against the median state's in that file: the file further from it is named.
    select c.counted_in as state,
           sum(c.moderna) / j.census_2020_population as moderna,
           sum(c.pfizer) / j.census_2020_population as pfizer
    from common c
    join dwh.jurisdictions j on j.name = c.counted_in and j.census_2020_population is not null
    where exists (select 1 from off)
    group by c.counted_in, j.census_2020_population
),
state_levels as (
    select percentile_cont(0.5) within group (order by moderna) as moderna,
           percentile_cont(0.5) within group (order by pfizer) as pfizer
    from state_rates
)
select case when abs(ln(coalesce(s.pfizer / nullif(l.pfizer, 0), 1)))
                 >= abs(ln(coalesce(s.moderna / nullif(l.moderna, 0), 1)))
            then 'pfizer' else 'moderna' end as source,
       o.jurisdiction, o.counted_in as state, o.weeks, o.moderna::bigint as moderna, o.pfizer::bigint as pfizer,
       round((100 * o.moderna_share)::numeric, 2) as moderna_percent,
       round((100 * o.pfizer_share)::numeric, 2) as pfizer_percent,
       round(o.times::numeric, 2) as times, o.within, o.places, o.off_places
from off o
left join state_rates s on s.state = o.counted_in
cross join state_levels l
