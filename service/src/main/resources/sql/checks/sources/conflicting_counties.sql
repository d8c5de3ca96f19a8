-- A county listed twice with different populations: which one is right cannot be told, and
-- summing both would count its people twice. Or with the same population under two county codes
-- (dwh.county_code, V18): two counties of one name, or one county under two codes; counted once,
-- as now, the people of one of two counties would be lost. (A line repeated word for word counts
-- once, as a repeated allocation does: run_counties, sql/stage_counties.sql, holds it once.) The
-- first such county in the file, with the first line and the first line that gives another
-- population, or else the first line of its first code and the first line of another code.
with conflicts as (
    select state, county from run_counties where conflicting or two_codes
),
county_rows as (
    select p.state, p.county, p.line, p.id, p.id2, p.population_estimate_2018 as population, c.code,
           first_value(p.population_estimate_2018) over (partition by p.state, p.county order by p.line)
               as first_population,
           -- the code of the first line that has one
           first_value(c.code) over (partition by p.state, p.county order by c.code is null, p.line) as first_code
    from raw.county_population p
    join conflicts k on k.state = p.state and k.county = p.county
    cross join lateral (select dwh.county_code(p.id, p.id2) as code) c
),
firsts as (
    select state, county,
           min(line) as first_line,
           min(line) filter (where population <> first_population) as other_line,
           min(line) filter (where code = first_code) as first_code_line,
           min(line) filter (where code <> first_code) as other_code_line,
           min(first_code) as first_code
    from county_rows
    group by state, county
)
select f.state, f.county, f.first_line, f.other_line, f.first_code_line, f.other_code_line, f.first_code,
       o.code as other_code, o.id2
from firsts f
left join county_rows o on o.state = f.state and o.county = f.county and o.line = f.other_code_line
order by coalesce(f.other_line, f.other_code_line)
limit 1
