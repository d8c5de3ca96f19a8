-- Lines of the county file that would count people twice, though no other check sees them:
--
-- * a summary row among the counties: a state's total (Id 0400000US50), the nation's (0100000US),
--   as Census downloads of "states and counties" interleave them. Its State is a real state, its
--   County often the state's own name (as eight real counties are, Arkansas County among them), so
--   only the Id tells: the first three digits of a Census geo id are its summary level, and a
--   county's is 050. An Id in another form, or none, is not judged.
-- * one county (one FIPS code, Id2, with or without its leading zeros) under two names: 'Doña Ana'
--   and 'Dona Ana', or 'Autauga' and 'Autauga County'. Repeated word for word it is one county, and
--   with two populations it is sql/checks/sources/conflicting_counties.sql's.
--
-- Either way its people would be added to the state's a second time, and the state published
-- with too many. The first such line in the file, with what the message needs.
with ids as (
    select line, id, id2, county, state, population_estimate_2018 as population,
           substring(id from '^([0-9]{3})[0-9]{4}US') as summary_level,
           case when id2 ~ '^[0-9]{1,5}$' then coalesce(nullif(ltrim(id2, '0'), ''), '0') end as fips
    from raw.county_population
),
summary_rows as (
    select 'summary' as fault, line, null::bigint as first_line, id, id2, county, state, population,
           summary_level
    from ids
    where summary_level is not null and summary_level <> '050'
),
named_twice as (
    select fips
    from ids
    where fips is not null
    group by fips
    having count(distinct (state, county)) > 1
),
fips_twice as (
    -- The second name's first line, against the first name's.
    select 'fips' as fault, other.line, first.line as first_line, other.id, other.id2, other.county, other.state,
           other.population, null as summary_level
    from named_twice n
    cross join lateral (
        select line, state, county from ids where fips = n.fips order by line limit 1
    ) first
    cross join lateral (
        select line, id, id2, county, state, population from ids
        where fips = n.fips and (state, county) is distinct from (first.state, first.county)
        order by line limit 1
    ) other
)
select fault, line, first_line, id, id2, county, state, population, summary_level,
       (select f.county from ids f where f.line = u.first_line) as first_county,
       (select f.state from ids f where f.line = u.first_line) as first_state,
       (select j.name from dwh.jurisdictions j where j.name = u.state and j.kind in ('state', 'district'))
           as product_state
from (select * from summary_rows union all select * from fips_twice) u
order by line
limit 1
