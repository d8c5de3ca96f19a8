-- A state's doses over a whole national allocation file far from its share by population. The
-- CDC shared doses out by population, so over a file each state's and DC's doses (its counted
-- cities' with it) per 2020 census resident are near the median state's: in the real files,
-- complete and cut, 50 or 51 of the 51 within 0.8 and 1.25 times it, all within 0.85 and 1.6
-- (Alaska the most). Under 0.6 or over 2 fails. What loaded before, each week of it in line with the state's
-- other weeks: California's Pfizer rows and Federal Entities' exchanged (California at 1.30
-- people per dose for 0.87: 0.03 times its share), every New York City count written 0 in both
-- files (New York at 1.47 for 0.84), a state's rows of one file all a digit short.
--
-- Compared a week: a state's doses over the weeks it has, per resident. A file cut after so many
-- rows (the lake's are) stops inside its last week, and the states before the cut have a week
-- more than those after it: over 2 weeks, cut after the first few rows, Connecticut's doses over
-- the file were 2.06 times its share. A week a state lacks is
-- sql/checks/sources/places_missing_weeks.sql's, and a week of 0 is a week of it here.
--
-- A state with weeks of no doses among weeks of doses gets its doses in lumps (the real Alaska's,
-- some months, in one week), and its share of a part of the series says less: over 5 weeks or
-- more, the real Alaska's is within 0.36 and 2.89 times the median state's (the files as they
-- stood at earlier dates put it at 2.0 to 3.3 over their first 2 to 17 weeks). Such a state fails
-- under 0.25 or over 4, from 5 weeks (a state of no doses at all among them); over fewer it is not
-- judged (Alaska's were 0 from 2021-04-05 to 2021-04-26 in both files). Nor is a state of one week
-- (Alaska's week of 2021-03-29 alone is 7.4 times its share). Weeks written 0 in one file are
-- sql/checks/sources/zero_weeks.sql's.
--
-- Judged only in a national file (51 or more of the 54 places, dwh.national_file_places(), V20)
-- whose doses follow the census: 40 or more of its states within 0.8 and 1.25 times the median
-- state's doses per resident. A test's file, whose doses are no state's, is not. The state
-- furthest off first, with how many are so.
with state_weeks as (
    select a.manufacturer, a.counted_in as state, a.week_of_allocations as week,
           sum(a.first_dose_allocations + a.second_dose_allocations) as doses
    from run_allocations a
    join run_national_files n using (manufacturer)
    where a.kind in ('state', 'district', 'city')
    group by a.manufacturer, a.counted_in, a.week_of_allocations
),
states as (
    select manufacturer, state, sum(doses) as doses, count(*) as weeks,
           count(*) filter (where doses = 0) as paused_weeks
    from state_weeks
    group by manufacturer, state
),
per_resident as (
    select s.manufacturer, s.state, s.doses, s.weeks, s.paused_weeks, j.census_2020_population as census,
           s.doses::float8 / s.weeks / j.census_2020_population as per_resident
    from states s
    join dwh.jurisdictions j on j.name = s.state and j.census_2020_population is not null
),
levels as (
    -- The median state's doses per resident and week: one state far off does not move it, as it would a
    -- total (California eight times over put every other state at half its share).
    select manufacturer, percentile_cont(0.5) within group (order by per_resident) as level
    from per_resident
    group by manufacturer
),
shares as (
    select p.*, l.level, p.per_resident / nullif(l.level, 0) as ratio
    from per_resident p
    join levels l using (manufacturer)
),
files as (
    select manufacturer, count(*) filter (where ratio between 0.8 and 1.25) as within, count(*) as states
    from shares
    group by manufacturer
    having count(*) filter (where ratio between 0.8 and 1.25) >= 40
),
off as materialized (
    select s.*, f.within, f.states as file_states, count(*) over () as off_states
    from shares s
    join files f using (manufacturer)
    where (s.paused_weeks = 0 and s.weeks >= 2 and (s.ratio < 0.6 or s.ratio > 2))
       or (s.paused_weeks > 0 and s.weeks >= 5 and (s.ratio < 0.25 or s.ratio > 4))
    order by greatest(s.ratio, 1 / nullif(s.ratio, 0)) desc nulls first, s.manufacturer, s.state
    limit 1
)
select manufacturer as source, state, doses, weeks, round(census * level * weeks) as expected, round(ratio::numeric, 2) as ratio,
       within, file_states, off_states
from off
