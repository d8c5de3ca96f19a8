-- A state, DC or counted city with no row in some weeks of a national allocation file, between
-- weeks it has: its row would be published short of those weeks' doses. Every week of the real
-- files names every place, so a hole inside a place's weeks is lines lost (a bad edit, a merge of
-- exports, rows filtered out). A place that starts late or stops early is not judged here: the
-- lake's files are cut after 1000 rows, in the earliest week they hold (they run newest first),
-- and a cut file may end mid-week too (completeness, a data check, warns of both). Nor is a week
-- every place lacks (it is not one of the file's weeks; sql/checks/sources/uncovered_weeks.sql
-- compares the two files' weeks). Judged only in a national file, one that names 51 or more of
-- the 54 places (sql/checks/sources/missing_places.sql says why). The first place with holes, by
-- source and name: how many weeks it lacks, the first ten of them, and how many places have holes.
with national as (
    select manufacturer as source
    from run_allocation_places
    group by manufacturer
    having count(*) >= 51
),
spans as (
    -- run_allocations holds a place once per source and week: count(*) is its weeks.
    select a.manufacturer as source, a.jurisdiction as name, a.counted_in as state,
           min(a.week_of_allocations) as first_week, max(a.week_of_allocations) as last_week,
           count(*) as weeks
    from run_allocations a
    join national n on n.source = a.manufacturer
    where a.kind in ('state', 'district', 'city')
    group by a.manufacturer, a.jurisdiction, a.counted_in
),
holed as (
    select s.*,
           (select count(*) from run_allocation_weeks w
            where w.manufacturer = s.source and w.week between s.first_week and s.last_week) - s.weeks as missing
    from spans s
),
first_holed as (
    select h.*, count(*) over (partition by h.source) as places
    from holed h
    where h.missing > 0
    order by h.source, h.name
    limit 1
)
select f.source, f.name, f.state, f.missing, f.places, f.first_week, f.last_week,
       (select string_agg(to_char(w.week, 'YYYY-MM-DD'), ', ' order by w.week)
        from (select w.week
              from run_allocation_weeks w
              where w.manufacturer = f.source and w.week between f.first_week and f.last_week
                and not exists (select 1 from run_allocations a
                                where a.manufacturer = f.source and a.jurisdiction = f.name
                                  and a.week_of_allocations = w.week)
              order by w.week
              limit 10) w) as first_ten
from first_holed f
