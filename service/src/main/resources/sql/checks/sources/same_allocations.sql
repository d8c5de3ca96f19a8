-- Whether the Moderna and Pfizer raw tables hold the same allocations: one URL pointing at the
-- other's file (a configuration slip, or an upstream that served one object under both keys).
-- Each row would pass every other check, and every dose would be counted twice, once per
-- manufacturer. The same rows in other bytes (CRLF, columns in another order, other quoting)
-- count as the same.
--
-- Compared over the staged rows (run_allocations: a row repeated word for word is one), whatever
-- the two files' row counts: a copy with one row repeated, or a few left out, is still a copy.
-- Answers the rows each source has and the rows the two have in common, all rows and rows with
-- doses; Checks fails the refresh when the two hold the same rows, or when more than a quarter of
-- the smaller one's rows with doses are also the other's. Rows without doses are told apart
-- because territories' weeks of zeros are the same in any two files. The real files share 5 of
-- their about 1,560 rows with doses (0.3%; 3% in the week that shares most: a state given as many
-- doses of both in a week); a copy with counts edited shares nearly all, and one spliced into the
-- other file (40% of its rows, whichever weeks they are) shares 40%.
--
-- The weeks compared: every week when the sources have at most :weeks of them (the real files
-- have 28 weeks; 1,000 would be 19 years), so that a copy of only some weeks, the earliest or the
-- latest, counts as it does in the whole. Beyond that, about one week in k, picked by a hash of
-- the week (no stride a splice could fall between), and 'sampled' is true: refresh/Checks.java
-- then compares every week only if the sample looks like a copy, so that a pair 300 times the real
-- size that shares nothing is not grouped in full (0.8 s of a 7 s refresh; the sample 0.12 s).
--
-- One pass, grouped by the row's values: run_allocations holds at most one row per manufacturer,
-- jurisdiction and week, so a group holds at most one row of each, and a row is common when its
-- group holds both. Not a join of Moderna's rows to Pfizer's: the staged table has no statistics,
-- and the planner, taking each side for a row or two, rescanned all of Pfizer's rows for each of
-- Moderna's (11 ms of a 90 ms refresh on the real files, seconds at 300 times their size).
with weeks as (
    select distinct week from run_allocation_weeks
),
every_kth as (
    select greatest(1, ceil(count(*)::numeric / :weeks))::bigint as k from weeks
),
compared as (
    select week from weeks, every_kth where k = 1 or (hashtext(to_char(week, 'YYYY-MM-DD')) & 2147483647) % k = 0
),
by_values as (
    select count(*) filter (where a.manufacturer = 'moderna') as moderna,
           count(*) filter (where a.manufacturer = 'pfizer') as pfizer,
           a.first_dose_allocations + a.second_dose_allocations > 0 as dosed
    from run_allocations a
    where a.week_of_allocations in (select week from compared)
    group by a.jurisdiction, a.week_of_allocations, a.first_dose_allocations, a.second_dose_allocations
)
select coalesce(sum(moderna), 0) as moderna,
       coalesce(sum(pfizer), 0) as pfizer,
       count(*) filter (where moderna > 0 and pfizer > 0) as common,
       coalesce(sum(moderna) filter (where dosed), 0) as moderna_dosed,
       coalesce(sum(pfizer) filter (where dosed), 0) as pfizer_dosed,
       count(*) filter (where dosed and moderna > 0 and pfizer > 0) as common_dosed,
       coalesce((select k from every_kth), 1) > 1 as sampled
from by_values
