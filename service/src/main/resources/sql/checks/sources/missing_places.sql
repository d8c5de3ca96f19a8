-- A state, DC or counted city with no row at all in a national allocation file. Every week of the
-- real files, complete and cut, names all 54 (50 states, DC, New York City, Chicago and
-- Philadelphia). A file that names 51 or more of them (dwh.national_file_places(), V20) is a
-- national file with some left out: New York City left out of both files published New York at
-- 1.47 people per dose instead of 0.84, with no warning at all (every week still had as many
-- jurisdictions as the others, and 1.47 is within 3 times the median); a "states only" export
-- leaves out all three cities; Texas left out of both was published with no doses and a warning.
-- A state under a new name also has no row, and is better named by
-- sql/checks/sources/renamed_jurisdictions.sql, which runs before.
-- A file that names fewer (the fixtures name 3 or 4, some generated test files 30 or 50) is
-- judged only beside a national file: alone, or beside another such file, it is a hand-written
-- or partial file, as allocation_coverage and completeness see it; beside a national file, every
-- place it leaves out would be published with one manufacturer's doses only. Five states left
-- out of the real Pfizer file (49 of the 54) loaded with a warning, Texas at 2.03 people per dose
-- instead of 0.92, when one left out failed: the more a file lacked, the less it was judged.
-- The first place missing, by source and name, with how many are, and how many rows of it the
-- other source has.
with places as (
    select name, coalesce(folds_into, name) as state
    from dwh.jurisdictions
    where kind in ('state', 'district', 'city')
),
named as (
    -- Every source with rows, with the places it names: a file of territories alone names none.
    select w.source, (select count(*) from run_allocation_places p where p.manufacturer = w.source) as places
    from (select distinct manufacturer as source from run_allocation_weeks) w
),
judged as (
    -- A national file, or any file beside one.
    select n.source, n.places
    from named n
    where (select max(places) from named) >= dwh.national_file_places()
),
missing as (
    select n.source, n.places, p.name, p.state,
           count(*) over (partition by n.source) as missing,
           row_number() over (partition by n.source order by p.name) as n
    from judged n
    cross join places p
    where not exists (select 1 from run_allocation_places x where x.manufacturer = n.source and x.jurisdiction = p.name)
)
select m.source, m.name, m.state, m.places, m.missing, (select count(*) from places) as all_places,
       (select count(*) from run_allocations a where a.manufacturer <> m.source and a.jurisdiction = m.name)
           as other_rows,
       (select string_agg(name, ', ' order by name) from missing x where x.source = m.source and x.n between 2 and 11)
           as others,
       -- Rows of 0 doses in each file, for the message (as in places_missing_weeks.sql): a file
       -- that leaves out its rows of 0 lacks a place allocated nothing as a file that lost it.
       (select count(*) from run_allocations a
        where a.manufacturer = m.source and a.first_dose_allocations = 0
          and a.second_dose_allocations = 0) as zero_rows,
       (select count(*) from run_allocations a
        where a.manufacturer <> m.source and a.first_dose_allocations = 0
          and a.second_dose_allocations = 0) as other_zero_rows
from missing m
where m.n = 1
order by m.source
limit 1
