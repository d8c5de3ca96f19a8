-- A place that counts for no state (a territory, a freely associated state, Federal Entities, a
-- name the reference does not know) whose doses over a national file are at a scale no such place
-- has: its counts all written with digits too many. Its doses count for no state, but the
-- refresh's report gives them among its exclusions and in its totals: Federal Entities' Moderna
-- counts all three digits too many loaded with every check passed, and a report of 4.9 billion
-- doses in the sources (401.6 million). Each week moved with them, and the median week too
-- (sql/checks/sources/allocation_scales.sql); no week stood out from the place's others
-- (outlying_allocations.sql); the file's rate is over the states only.
-- * A territory (its 2020 census count, dwh.jurisdictions.territory_census_2020_population, V26):
--   its doses per resident against the median state's (with its counted cities) in that file. A
--   territory with doses in every week of the file, 4 or more, fails over 5 times: in the real
--   files, complete, cut and as they stood at each earlier date, such a territory is within 2.2
--   times (the U.S. Virgin Islands' Pfizer doses the most). One with fewer weeks, or weeks without
--   doses among them, gets its doses in lumps and fails over 12 times: the Northern Mariana Islands'
--   one Pfizer week of 2020-12-14 was 7.4 times the states', its two of the first four weeks 5.2.
--   Under is not judged: a territory whose allocations started late holds few doses over a short
--   file (the lake's Guam, American Samoa: 0.3).
-- * Any other such place (no population to hold it to): more doses over the file than the state
--   with the most. In the real files, as they stood at every date, Federal Entities hold 0.35 to
--   0.57 times California's, the freely associated states under a hundredth.
-- Judged only in national files (51 or more of the 54 places, dwh.national_file_places(), V20)
-- whose doses follow the census, as state_shares.sql judges it: 40 or more of the states within
-- 0.8 and 1.25 times the median state's doses per resident (the real files: 50 or 51). A test's
-- file allocates as it likes, its territories too. The place furthest out first, at its first
-- line, with how many are so.
with places as (
    select a.manufacturer, a.jurisdiction, min(a.kind) as kind, min(a.first_line) as line,
           sum(a.first_dose_allocations + a.second_dose_allocations) as doses, count(*) as weeks,
           count(*) filter (where a.first_dose_allocations + a.second_dose_allocations > 0) as dosed_weeks
    from run_allocations a
    join run_national_files n using (manufacturer)
    where a.kind is null or a.kind not in ('state', 'district', 'city')
    group by a.manufacturer, a.jurisdiction
),
states as (
    select a.manufacturer, a.counted_in as state, j.census_2020_population as people,
           sum(a.first_dose_allocations + a.second_dose_allocations) as doses
    from run_allocations a
    join run_national_files n using (manufacturer)
    join dwh.jurisdictions j on j.name = a.counted_in and j.census_2020_population is not null
    where a.kind in ('state', 'district', 'city')
    group by a.manufacturer, a.counted_in, j.census_2020_population
),
levels as (
    select manufacturer, percentile_cont(0.5) within group (order by doses::float8 / people) as rate
    from states
    group by manufacturer
),
census_files as (
    select s.manufacturer
    from states s
    join levels l using (manufacturer)
    where l.rate > 0
    group by s.manufacturer, l.rate
    having count(*) filter (where s.doses::float8 / s.people / l.rate between 0.8 and 1.25) >= 40
),
largest as (
    select distinct on (manufacturer) manufacturer, state, doses
    from states
    order by manufacturer, doses desc, state
),
judged as (
    select p.manufacturer, p.jurisdiction, p.kind, p.line, p.doses, j.territory_census_2020_population as people,
           case when j.territory_census_2020_population is null then 1
                when p.dosed_weeks >= 4 and p.dosed_weeks = p.weeks then 5
                else 12 end as bound,
           l.rate as state_rate, g.state as largest_state, g.doses as largest_doses,
           case when j.territory_census_2020_population is not null
                then p.doses::float8 / j.territory_census_2020_population / l.rate
                else p.doses::float8 / g.doses end as times
    from places p
    left join dwh.jurisdictions j on j.name = p.jurisdiction
    join levels l using (manufacturer)
    join largest g using (manufacturer)
    join census_files using (manufacturer)
    where p.doses > 0 and l.rate > 0 and g.doses > 0
),
off as (
    select *, count(*) over () as places
    from judged
    where times > bound
)
select manufacturer as source, jurisdiction, kind, line, doses, people,
       round((doses::float8 / people)::numeric, 4) as rate, round(state_rate::numeric, 4) as state_rate,
       largest_state, largest_doses, round(times::numeric, 2) as times, places
from off
order by times desc, manufacturer, jurisdiction
limit 1
