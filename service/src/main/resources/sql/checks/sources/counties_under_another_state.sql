-- County lines under another State than their own code's: a county code begins with its state's
-- FIPS code (Addison County, Vermont is 50001; dwh.jurisdictions.fips, V18), so a line coded 50001
-- under 'New Hampshire' puts Vermont's people in New Hampshire. Two states' names exchanged, or a
-- county moved by hand, are valid line by line; when the states are of a size, no count and no
-- comparison with the census sees it.
--
-- Judged only in a file whose codes are the Census's: when at least three in four of its lines
-- with a code under a State the reference gives one agree with their State (every line of the real
-- file does). A file with codes of its own (a hand-written one, numbered 01, 02, ... in its own
-- order) is not judged, and neither is a line whose code cannot be read for sure
-- (dwh.county_code), nor a State the reference does not know (sql/checks/sources/unplaced_counties.sql).
-- The first such line in the file, with how many there are.
with coded as (
    select c.line, c.county, c.state, dwh.county_code(c.id, c.id2) as code, j.fips as state_fips
    from raw.county_population c
    join dwh.jurisdictions j on j.name = c.state
    where j.fips is not null
),
judged as (
    select line, county, state, code, state_fips
    from coded
    where code is not null
),
elsewhere as (
    select line, county, state, code, state_fips
    from judged
    where left(code, 2) <> state_fips
),
counts as (
    select (select count(*) from judged) as judged, (select count(*) from elsewhere) as elsewhere
)
select e.line, e.county, e.state, e.code, e.state_fips,
       o.name as code_state, o.kind as code_kind,
       (select kind from dwh.jurisdictions where name = e.state) as kind,
       n.elsewhere as lines
from elsewhere e
cross join counts n
left join dwh.jurisdictions o on o.fips = left(e.code, 2)
where n.elsewhere * 4 <= n.judged
order by e.line
limit 1
