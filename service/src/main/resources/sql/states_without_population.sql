-- States (and DC) whose population the county file cannot give: no county at all, or counties
-- that add up to 0 people. Either would publish a wrong product (a state row missing, or 0.0000
-- people per dose), so the refresh fails naming the state and, when it has counties, their first
-- line.
select j.name as state,
       count(p.line) as counties,
       min(p.line) as first_line
from dwh.jurisdictions j
left join raw.county_population p on p.state = j.name
where j.kind in ('state', 'district')
group by j.name
having coalesce(sum(p.population_estimate_2018), 0) = 0
order by j.name
