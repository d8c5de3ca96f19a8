-- County lines whose ids do not read as a county's code, in a file whose lines do: not a county,
-- or a county line damaged. dwh.county_code (V18) reads a county's code from its Id (0500000US and
-- five digits) or, without an Id, its Id2 (four or five digits); every line of the real file
-- reads so. Lines that did not, and loaded as counties without a word:
-- * other Census geographies, whose Id has a summary level but not in the form that
--   sql/checks/sources/counties_counted_twice.sql reads: a metropolitan or micropolitan area
--   (310M300US40900), a combined area (330M300US472), the short ids of other tables (31000US40900,
--   16000US0664000): Sacramento's metro area put California at 0.92 people per dose for 0.87;
-- * a city among the counties, with a place code as its Id2 (1714000, Chicago) or no ids at all:
--   Chicago's 2.7 million people counted twice put Illinois at 1.03 for 0.85;
-- * a county line whose Id is damaged (0500000us04019, 0500000US4019): its code could not be
--   read, so the check that a county's code is its State's passed it, Pima moved to Texas.
--
-- Judged only in a file where at least three in four lines read a county code: a hand-written
-- file without ids, or with ids of its own, is not. Run after the checks that say more of such
-- a line: the Id2 that is not its Id's code (counties_with_two_codes.sql), the summary rows and
-- codes 000 (counties_counted_twice.sql), a county listed twice or written two ways, a State the
-- reference does not know (refresh/Counties.java keeps the order). The first such line, with how
-- many there are.
with lines as (
    select line, id, id2, county, state, dwh.county_code(id, id2) as code
    from raw.county_population
),
counts as (
    select count(*) as lines, count(code) as coded, count(*) - count(code) as uncoded
    from lines
)
select u.line, u.id, u.id2, u.county, u.state, c.population_estimate_2018 as population, n.uncoded as lines,
       (select kind from dwh.jurisdictions where name = u.state) as kind
from counts n
cross join lateral (
    select * from lines where code is null and n.uncoded > 0 order by line limit 1
) u
cross join lateral (select population_estimate_2018 from raw.county_population where line = u.line limit 1) c
where n.coded * 4 >= n.lines * 3
