-- Weeks lost from the national allocation files (those that name 51 or more of the 54 states, DC
-- and counted cities, dwh.national_file_places(), V20) that no comparison between the two files
-- sees, because both lack them:
--
-- * a gap: a Monday between the oldest and the newest week of the national files that no
--   allocation file has doses in (no row, or rows of 0 only). The CDC allocated every week from
--   the first; the real files, complete and cut, run week after week. The week of 2021-03-01
--   deleted from both files loaded, every state short of that week's doses (Alabama at 0.89
--   people per dose instead of 0.86), without a word; so did its counts written 0 in both.
-- * a manufacturer's first week lost: a file with the week after its maker's first week of
--   allocations (Pfizer's 2020-12-14, Moderna's 2020-12-21, as in
--   sql/checks/sources/allocations_before_first_week.sql) but not that first week. Pfizer's
--   file without its rows of 2020-12-14 (a download cut at a line end on that week's boundary)
--   starts with Moderna's first week, and the two files then cover the same weeks: it loaded,
--   every state short of that week. A file cut to later weeks (the lake's) has neither week,
--   and one cut inside the week after (short of places) is not judged.
--
-- Smaller files (the fixtures, a regional file) are not judged. The gaps first (in the first
-- national file's name: none has the week), with how many there are and the first ten; then a
-- first week lost.
with weeks as (
    -- The national files' weeks, with their doses and whether they name every place of the file.
    select w.manufacturer as source, w.week, w.doses, w.places >= n.places as whole
    from run_allocation_weeks w
    join run_national_files n using (manufacturer)
),
gaps as (
    -- Between the first and the last week with doses: rows of 0 before or after them are weeks
    -- without allocations yet (2021-06-28 listed ahead of its allocations, written 0 in both).
    select g.week::date as week, s.first_week, s.last_week
    from (select min(week) as first_week, max(week) as last_week from weeks where doses > 0) s
    cross join lateral generate_series(s.first_week, s.last_week, interval '7 days') as g (week)
    where not exists (select 1 from run_allocation_weeks w where w.week = g.week::date and w.doses > 0)
),
firsts (source, first_week) as (
    values ('moderna', date '2020-12-21'), ('pfizer', date '2020-12-14')
),
first_weeks_lost as (
    -- The week after whole (every place the file names): a file cut inside it, as the lake's are
    -- cut after so many rows, stops there and may never have reached the first week. Rows of 0
    -- only in the first week are that week lost too (its doses written 0).
    select f.source, f.first_week as week
    from firsts f
    where exists (select 1 from weeks w where w.source = f.source and w.week = f.first_week + 7 and w.whole)
      and not exists (select 1 from weeks w where w.source = f.source and w.week = f.first_week and w.doses > 0)
)
select *
from (
    select 'gap' as fault, (select min(manufacturer) from run_national_files) as source, week, first_week, last_week,
           (select count(*) from gaps) as weeks,
           (select string_agg(week::text, ', ' order by week) from (select week from gaps order by week limit 10) t)
               as first_ten,
           null::boolean as no_doses
    from (select * from gaps order by week limit 1) g
    union all
    -- With whether the file has doses in no week at all: then "though it has the week after",
    -- and a file cut short, would point at the wrong fault.
    select 'first_week', source, week, null, null, 1, null,
           not exists (select 1 from weeks w where w.source = f.source and w.doses > 0)
    from (select * from first_weeks_lost order by source limit 1) f
) lost
order by fault = 'first_week'
