-- Lines of the county file that count people a county of the file already counts, though no
-- other check sees them:
--
-- * a summary row among the counties: a state's total (Id 0400000US50), the nation's (0100000US),
--   as Census downloads of "states and counties" interleave them. Its State is a real state, its
--   County often the state's own name (as eight real counties are, Arkansas County among them), so
--   only the Id tells: the first three digits of a Census geo id are its summary level, and a
--   county's is 050.
-- * one county (one FIPS code) under two names: 'Doña Ana' and 'Dona Ana', or 'Autauga' and
--   'Autauga County'. Repeated word for word it is one county, and with two populations it is
--   sql/checks/sources/conflicting_counties.sql's. The code is the Id's (0500000US + five
--   digits) or, without an Id, the Id2's (four or five digits, the leading zero optional, as the
--   lake's original may have written it). An Id and Id2 that disagree, ids in another form, or a
--   State the reference does not know (sql/checks/sources/unplaced_counties.sql names those) are
--   not judged: we check what we can read for sure.
--
-- Run before the conflict check: a state's total row has the same (State, County) as a county
-- named like its state, and would be reported there as a county with two populations. The first
-- such line in the file, with what the message needs.
with ids as (
    select line, id, id2, county, state, population_estimate_2018 as population,
           substring(id from '^([0-9]{3})[0-9]{4}US') as summary_level,
           case
               when id ~ '^0500000US[0-9]{5}$'
                    and (coalesce(id2, '') = '' or lpad(id2, 5, '0') = right(id, 5)) then right(id, 5)
               when coalesce(id, '') = '' and id2 ~ '^[0-9]{4,5}$' and ltrim(id2, '0') <> ''
                   then lpad(id2, 5, '0')
           end as fips
    from raw.county_population
),
summary_rows as (
    select 'summary' as fault, line, null::bigint as first_line, id, id2, county, state, population,
           summary_level
    from ids
    where summary_level is not null and summary_level <> '050'
),
placed as (
    -- Counties under a State the reference knows (a state, DC or territory).
    select i.*
    from ids i
    join dwh.jurisdictions j
      on j.name = i.state and j.kind in ('state', 'district', 'territory', 'freely_associated_state')
    where i.fips is not null
),
named_twice as (
    select fips
    from placed
    group by fips
    having count(distinct (state, county)) > 1
),
fips_twice as (
    -- The second name's first line, against the first name's.
    select 'fips' as fault, other.line, first.line as first_line, other.id, other.id2, other.county, other.state,
           other.population, null as summary_level
    from named_twice n
    cross join lateral (
        select line, state, county from placed where fips = n.fips order by line limit 1
    ) first
    cross join lateral (
        select line, id, id2, county, state, population from placed
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
