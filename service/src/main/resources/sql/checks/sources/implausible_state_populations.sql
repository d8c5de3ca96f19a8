-- States (and DC) whose population the county file cannot give: no county at all, counties that
-- add up to 0 people, or to more than any state could hold (a billion: the whole country has a
-- third of that). Each would publish a wrong product: a state row missing, 0.0000 people per dose,
-- or a ratio too large to be true (or to store). The refresh fails naming the state and, when it
-- has counties, their first line. Counties are counted as the product counts them, from
-- run_counties (sql/stage_counties.sql): a line repeated word for word once.
select j.name as state,
       count(c.county) as counties,
       min(c.first_line) as first_line,
       coalesce(sum(c.population), 0) as population
from dwh.jurisdictions j
left join run_counties c on c.state = j.name
where j.kind in ('state', 'district')
group by j.name
having coalesce(sum(c.population), 0) = 0
    or sum(c.population) > 1000000000
order by j.name
