-- A county listed twice with different populations: which one is right cannot be told, and
-- summing both would count its people twice. (A line repeated word for word counts once, as a
-- repeated allocation does: run_counties, sql/stage_counties.sql, holds it once.) The first such
-- county in the file, with the first line and the first line that gives another population.
with conflicts as (
    select state, county from run_counties where conflicting
),
county_rows as (
    select p.state, p.county, p.line, p.population_estimate_2018 as population,
           first_value(p.population_estimate_2018) over (partition by p.state, p.county order by p.line)
               as first_population
    from raw.county_population p
    join conflicts c on c.state = p.state and c.county = p.county
)
select state, county,
       min(line) as first_line,
       min(line) filter (where population <> first_population) as other_line
from county_rows
group by state, county
order by other_line
limit 1
