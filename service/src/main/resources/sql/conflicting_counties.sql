-- A county listed twice with different populations: which one is right cannot be told, and
-- summing both would count its people twice. (A line repeated word for word counts once, as a
-- repeated allocation does: sql/build_state_doses.sql sums distinct counties.) The first such
-- county in the file, with the first line and the first line that gives another population.
with counties as (
    select state, county, population_estimate_2018 as population, min(line) as first_line
    from raw.county_population
    group by state, county, population_estimate_2018
),
conflicts as (
    select state, county,
           min(first_line) as first_line,
           (array_agg(first_line order by first_line))[2] as other_line
    from counties
    group by state, county
    having count(*) > 1
)
select state, county, first_line, other_line
from conflicts
order by other_line
limit 1
