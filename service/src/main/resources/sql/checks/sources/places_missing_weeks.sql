-- A state, DC or counted city with no row in some weeks of a national allocation file, between
-- weeks it has: its row would be published short of those weeks' doses. Every week of the real
-- files names every place, so a hole inside a place's weeks is lines lost (a bad edit, a merge of
-- exports, rows filtered out). A place that starts late or stops early is not judged here: the
-- lake's files are cut after 1000 rows, in the earliest week they hold (they run newest first),
-- and a cut file may end mid-week too (completeness, a data check, warns of both). Nor is a week
-- every place lacks (it is not one of the file's weeks; sql/checks/sources/uncovered_weeks.sql
-- compares the two files' weeks). Judged only in a national file, one that names 51 or more of
-- the 54 places (dwh.national_file_places(), V20; sql/checks/sources/missing_places.sql says why). The first place with holes, by
-- source and name: how many weeks it lacks, the first ten of them, and how many places have holes.
--
-- A place can lack only a week that names fewer places than its file does, and a clean file has
-- none: then this reads the weeks' counts alone (sql/stage_allocations.sql keeps them), not the
-- allocations, which at 300 times the real size are a million rows and took a second to group.
with national as (
    select manufacturer as source, count(*) as places
    from run_allocation_places
    group by manufacturer
    having count(*) >= dwh.national_file_places()
),
short_weeks as (
    select w.manufacturer as source, w.week
    from run_allocation_weeks w
    join national n on n.source = w.manufacturer
    where w.places < n.places
),
-- Each place missing from a short week of its file: every week a place lacks is one.
lacking as (
    select s.source, p.jurisdiction as name, s.week
    from short_weeks s
    join run_allocation_places p on p.manufacturer = s.source
    where not exists (select 1 from run_allocations a
                      where a.manufacturer = s.source and a.week_of_allocations = s.week
                        and a.jurisdiction = p.jurisdiction)
),
spans as (
    select a.manufacturer as source, a.jurisdiction as name, a.counted_in as state,
           min(a.week_of_allocations) as first_week, max(a.week_of_allocations) as last_week
    from run_allocations a
    where (a.manufacturer, a.jurisdiction) in (select source, name from lacking)
    group by a.manufacturer, a.jurisdiction, a.counted_in
),
holes as (
    select s.source, s.name, s.state, s.first_week, s.last_week, l.week
    from spans s
    join lacking l on l.source = s.source and l.name = s.name and l.week > s.first_week and l.week < s.last_week
),
holed as (
    select source, name, state, first_week, last_week, count(*) as missing,
           string_agg(to_char(week, 'YYYY-MM-DD'), ', ' order by week) filter (where n <= 10) as first_ten
    from (select h.*, row_number() over (partition by h.source, h.name order by h.week) as n from holes h) numbered
    group by source, name, state, first_week, last_week
)
select h.source, h.name, h.state, h.missing, h.first_ten, h.first_week, h.last_week,
       count(*) over (partition by h.source) as places
from holed h
order by h.source, h.name
limit 1
