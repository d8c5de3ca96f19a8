-- Lines of the county file that count people a county of the file already counts, though no
-- other check sees them:
--
-- * a summary row among the counties: a state's total (Id 0400000US50), the nation's (0100000US),
--   as Census downloads of "states and counties" interleave them. Its State is a real state, its
--   County often the state's own name (as eight real counties are, Arkansas County among them), so
--   only the Id tells: the first three digits of a Census geo id are its summary level, and a
--   county's is 050.
-- * a state's total in another form, which no Id marks: a line that holds exactly as many people
--   as the other lines of its State together and is named as a total (its County holds the
--   state's name, as 'Vermont', 'State of Vermont' or 'Vermont (all)' do, or says 'Statewide',
--   'Total'...: a total appended by hand, a file without ids), or is one of such lines in three
--   states or more, whatever their names ('(all)', '-', 'Sum': a file of totals, each state
--   counted twice), or, whatever its name, puts its state over 1.8 times its census count (a
--   state's total counted in, twice its people), or its state's own code: county 000 (Id2 48000, Id 0500000US48000, as the
--   Census county files write a state's total), or a two-digit Id2 without an Id (48), under that
--   state (under another, such codes are a file's own numbering). Exact equality,
--   among at least three lines of a state, is not chance. (A total off by one is not this
--   check's: plausible_population warns of a state twice its census count.)
-- * one county (one FIPS code) under two names: 'Doña Ana' and 'Dona Ana', or 'Autauga' and
--   'Autauga County'. Repeated word for word it is one county, and with two populations it is
--   sql/checks/sources/conflicting_counties.sql's. The code is dwh.county_code's (V18): the Id's
--   (0500000US + five digits) or, without an Id, the Id2's (four or five digits, the leading
--   zero optional, as the lake's original may have written it). An Id and Id2 that disagree, ids
--   in another form, or a State the reference does not know (sql/checks/sources/unplaced_counties.sql
--   names those) are not judged: we check what we can read for sure.
--
-- Run before the conflict check: a state's total row has the same (State, County) as a county
-- named like its state, and would be reported there as a county with two populations. The first
-- such line in the file, with what the message needs.
with ids as (
    -- String functions, not regular expressions, and the usual line (a county's Id, its Id2 the
    -- same code) settled by the first test: this runs for every county line, and regular
    -- expressions made the check cost 20 ms of a 140 ms refresh.
    select line, state,
           case when left(id, 3) <> '050' and upper(substr(id, 8, 2) collate "C") = 'US' and length(id) >= 9
                    and translate(left(id, 7), '0123456789', '') = ''
               then left(id, 3) end as summary_level,
           dwh.county_code(id, id2) as fips,
           -- A two-digit code is a state's (Vermont's is 50): a county's has five.
           case when coalesce(id, '') = '' and length(id2) = 2 and translate(id2, '0123456789', '') = ''
               then id2 end as state_id2
    from raw.county_population
),
summary_rows as (
    select 'summary' as fault, line, null::bigint as first_line, summary_level, null as fips
    from ids
    where summary_level is not null
    union all
    select 'state_code', line, null, null, coalesce(state_id2, fips)
    from ids
    where (right(fips, 3) = '000' or state_id2 is not null)
      -- The line's own state's code: a file numbering its lines in the Id2 (1, 2, ... 10, ...
      -- 1000) has codes like these under any State, and was refused as holding state totals.
      and coalesce(state_id2, left(fips, 2)) = (select j.fips from dwh.jurisdictions j where j.name = ids.state)
),
sums as (
    -- Lines that hold as many people as the other lines of their State together, counted as the
    -- product counts them (run_counties: a line repeated word for word is one).
    select first_line, county, state, state_total
    from (select first_line, population, county, state,
                 sum(population) over (partition by state) as state_total,
                 count(*) over (partition by state) as lines
          from run_counties) c
    where lines >= 3 and population > 0 and population * 2 = state_total
),
totals as (
    -- Such a line is a total when it is named as one: after the state (its name as words of the
    -- County: 'Vermont', 'Vermont State', 'State of Vermont', 'Vermont (all)'), or as the whole
    -- of it. Or, whatever its name, when three states or more have such a line: a hand-written test
    -- file may well give one county as many people as two others together ('A 2000, B 1000,
    -- C 1000'), but not state after state. A file of totals under a label we cannot foresee put
    -- every state at twice its people, with only plausible_population's warning. Or, whatever its
    -- name, when the state's lines, it among them, hold more than 1.8 times the state's 2020
    -- census count (dwh.jurisdictions, V13): a real file holds 0.95 to 1.02 times it, its total
    -- counted in twice about 2, and a hand-written file's round numbers are far under any census
    -- (a test's state has thousands of people). Neither sign alone is enough: a generated test
    -- file may size a state far over its census, and round numbers happen.
    select 'total' as fault, first_line as line, null::bigint as first_line, null as summary_level,
           null as fips
    from sums
    where (select count(distinct state) from sums) >= 3
       or (' ' || regexp_replace(lower(county collate "C"), '[^a-z]+', ' ', 'g') || ' ') like '% ' || lower(state collate "C") || ' %'
       or lower(county collate "C") ~ '(total|statewide|state ?wide|whole state|entire state|all counties)'
       or state_total > 1.8 * (select j.census_2020_population from dwh.jurisdictions j where j.name = sums.state)
),
repeated as (
    -- Codes on more than one line: none in a real file, so names are compared for few lines.
    select fips
    from ids
    where fips is not null
    group by fips
    having count(*) > 1
),
placed as (
    -- The lines of those codes, under a State the reference knows (a state, DC or territory).
    select i.line, i.fips, c.state, c.county
    from ids i
    join repeated r on r.fips = i.fips
    join raw.county_population c on c.line = i.line
    join dwh.jurisdictions j
      on j.name = c.state and j.kind in ('state', 'district', 'territory', 'freely_associated_state')
),
fips_twice as (
    -- For each code under more than one (State, County): the second name's first line, and the first's.
    select 'fips' as fault, min(p.line) filter (where (p.state, p.county) is distinct from (f.state, f.county))
               as line,
           f.line as first_line, null as summary_level, p.fips
    from placed p
    join lateral (select line, state, county from placed where fips = p.fips order by line limit 1) f on true
    group by p.fips, f.line
    having min(p.line) filter (where (p.state, p.county) is distinct from (f.state, f.county)) is not null
),
fault as (
    select * from summary_rows
    union all
    select * from totals
    union all
    select * from fips_twice
    order by line
    limit 1
)
-- The line's own values, and the first name's, read for the one line reported (or none).
select u.fault, u.line, u.first_line, u.fips, c.id, c.id2, c.county, c.state, c.population_estimate_2018 as population,
       u.summary_level, f.county as first_county, f.state as first_state,
       (select j.name from dwh.jurisdictions j where j.name = c.state and j.kind in ('state', 'district'))
           as product_state,
       (select count(*) - 1 from run_counties where state = c.state) as other_counties,
       (select count(distinct state) from sums) as total_states
from fault u
cross join lateral (select * from raw.county_population where line = u.line limit 1) c
left join lateral (select * from raw.county_population where line = u.first_line limit 1) f on true
