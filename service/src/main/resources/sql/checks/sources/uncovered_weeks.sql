-- Weeks one national allocation file has and the other has no row in. Two files that each name 51
-- or more of the 54 states, DC and counted cities (dwh.national_file_places(), V20) are the
-- CDC's two national series, published together, and cover the same weeks: the complete ones the
-- same 27 but for Pfizer's first, 2020-12-14 (Moderna's allocations began a week later), the
-- lake's cut ones the same 16. Anything else is one file cut, older or stale beside the other,
-- and the product would sum all weeks of one against part of the other's: the lake's Moderna file
-- beside the complete Pfizer file put every state at about 1.02 people per dose instead of 0.86,
-- a Moderna file without the week of 2021-04-05 left each state short of that week, with only
-- allocation_coverage's warning. A refresh that fails keeps the last good product, which is whole.
-- Smaller files (the fixtures, a regional file) stay that warning.
-- Weeks with doses are what counts: a week of rows of 0 only lacks nothing in the other file (a
-- week listed ahead of its allocations, as 2021-06-28 written 0 at the top of one file), and a
-- file whose rows of a week the other has doses in are all 0 lacks that week as if it had no row
-- (Pfizer's newest week written 0). Doses are those of states, DC and counted cities alone: a week
-- in which only Federal Entities, a territory or a name no one knows got doses shorts no state
-- (it was refused, saying every state would be short of them).
-- For each source that lacks weeks (one, or both: a week moved, as 2021-06-21 dated 2027-06-21 in
-- one file), how many and the first ten; and whether they are stray weeks of the other file, with
-- its first line there.
with weeks as (
    select w.manufacturer as source, w.week, w.place_doses as doses, w.places,
           max(w.places) over (partition by w.manufacturer) as usual
    from run_allocation_weeks w
    where (select count(*) from run_national_files) = 2
),
firsts as (
    -- A file's first week of doses: rows of 0 before it are no allocation (Moderna's in the week
    -- of 2020-12-14, before its first).
    select source, min(week) filter (where doses > 0) as first_week from weeks group by source
),
missing as (
    -- Weeks of `source` that `lacking` has no row in, but for Pfizer's first week, 2020-12-14,
    -- when Moderna's first is 2020-12-21 (as checks/allocation_coverage.sql excuses it).
    select o.source as lacking, w.source, w.week,
           row_number() over (partition by o.source order by w.week) as n,
           count(*) over (partition by o.source) as weeks,
           -- Every such week held by a few places of the file that has it (under a quarter of its
           -- fullest week's): rows dated into a week of their own (2021-06-21 written 2027-06-21
           -- on one line), the fault of that file, not of the one that lacks the week.
           bool_and(w.places * 4 < w.usual) over (partition by o.source) as stray,
           w.places, w.usual
    from weeks w
    join firsts o on o.source <> w.source
    where w.doses > 0
      and not exists (select 1 from weeks x where x.source = o.source and x.week = w.week and x.doses > 0)
      and not (w.source = 'pfizer' and w.week = date '2020-12-14' and o.first_week = date '2020-12-21')
)
select lacking, source, week, weeks,
       (select string_agg(week::text, ', ' order by week) from missing x where x.lacking = m.lacking and x.n <= 10)
           as first_ten,
       stray, places, usual, f.jurisdiction as first_place, f.first_line
from missing m
-- The first place's line in that week of the file that has it, for a stray week.
left join lateral (
    select a.jurisdiction, a.first_line
    from run_allocations a
    where m.stray and a.manufacturer = m.source and a.week_of_allocations = m.week
      and a.kind in ('state', 'district', 'city') and a.first_dose_allocations + a.second_dose_allocations > 0
    order by a.first_line
    limit 1
) f on true
where n = 1
order by lacking
