-- A state, DC or counted city with no row in some weeks of a national allocation file: its row
-- would be published short of those weeks' doses. Every week of the real files names every
-- place, so a week a place lacks is lines lost (a bad edit, a merge of exports, rows filtered
-- out), whether it falls between weeks the place has or at either end of them: Texas's last five
-- weeks left out of the real Pfizer file, or its first five, loaded with only completeness's
-- warnings, Texas short of 3.9 or 1.8 million doses.
--
-- One week is not judged: the week of the file's last line. A file cut after so many rows stops
-- in the middle of that week, short of the places after the cut: the lake's files are cut after
-- 1000 rows, in the earliest week they hold (they run newest first; 55 of its 63 rows), and a
-- download cut at a line end stops so too (completeness, a data check, warns of it). Nor is a
-- week every place lacks (it is not one of the file's weeks; sql/checks/sources/uncovered_weeks.sql
-- compares the two files' weeks). Judged only in a national file, one that names 51 or more of
-- the 54 places (dwh.national_file_places(), V20; a place a file leaves out altogether is
-- sql/checks/sources/missing_places.sql's, which runs before). The first place lacking weeks, by
-- source and name: how many weeks it lacks, the first ten of them, the file's weeks, and how many
-- places lack weeks.
--
-- A place can lack only a week that names fewer places than its file does, and a clean file has
-- none: then this reads the weeks' counts alone (sql/stage_allocations.sql keeps them), not the
-- allocations, which at 300 times the real size are a million rows and took a second to group;
-- nor the raw tables, whose last lines are read only for a short week.
-- Materialized: the cut weeks below are read for these rows alone (inlined, the planner read both
-- raw tables first, for every week of every refresh).
with short_weeks as materialized (
    select w.manufacturer as source, w.week
    from run_allocation_weeks w
    join run_national_files n on n.manufacturer = w.manufacturer
    where w.places < n.places
),
-- The week of each file's last line, the one a cut may leave short.
cut_weeks as (
    select 'moderna' as source,
           (select week_of_allocations from raw.cdc_moderna_allocations order by line desc limit 1) as week
    union all
    select 'pfizer', (select week_of_allocations from raw.cdc_pfizer_allocations order by line desc limit 1)
),
-- Each place missing from a short week of its file, but the cut one: every week a place lacks is one.
lacking as (
    select s.source, p.jurisdiction as name, s.week
    from short_weeks s
    join run_allocation_places p on p.manufacturer = s.source
    where s.week is distinct from (select c.week from cut_weeks c where c.source = s.source)
      and not exists (select 1 from run_allocations a
                      where a.manufacturer = s.source and a.week_of_allocations = s.week
                        and a.jurisdiction = p.jurisdiction)
),
numbered as (
    select l.*, row_number() over (partition by l.source, l.name order by l.week) as n
    from lacking l
),
lacked as (
    select source, name, count(*) as missing,
           string_agg(to_char(week, 'YYYY-MM-DD'), ', ' order by week) filter (where n <= 10) as first_ten
    from numbered
    group by source, name
)
select l.source, l.name, coalesce(j.folds_into, l.name) as state, l.missing, l.first_ten,
       w.first_week, w.last_week, w.weeks,
       count(*) over (partition by l.source) as places
from lacked l
join dwh.jurisdictions j on j.name = l.name
join (select manufacturer, min(week) as first_week, max(week) as last_week, count(*) as weeks
      from run_allocation_weeks
      group by manufacturer) w on w.manufacturer = l.source
order by l.source, l.name
limit 1
