-- Each state's population against its count in the 2020 Census (dwh.jurisdictions, V13). The
-- county file can pass every check of its lines and still be wrong as a whole: a state's total
-- appended as one more county (twice the people), a state's counties written under a neighbour's
-- name (New York with New Jersey's people), half a state's counties left out, or every count in
-- thousands (0.0009 people per dose everywhere, which no comparison between states sees). The
-- real file's 2018 estimates are 0.95 to 1.02 times the census; a state more than 1.25 times
-- over or under is a warning, naming it. Never a failure, over or under: a test's county file is
-- not a census (the fixtures' states have 10,000 people each; generated tests size each state to
-- its generated doses, some far over), and it must load. We tried failing a state more than 1.8
-- times over, for a state's total counted in as a county with its sum off by one, and our own
-- generated tests failed with it.
with compared as (
    select s.state, s.population, j.census_2020_population as census,
           s.population::float8 / j.census_2020_population as ratio
    from dwh.state_doses s
    join dwh.jurisdictions j on j.name = s.state
    where j.census_2020_population is not null and s.population > 0
),
off as (
    select state, population, census, ratio, greatest(ratio, 1 / ratio) as times,
           row_number() over (order by greatest(ratio, 1 / ratio) desc, state) as n
    from compared
    where greatest(ratio, 1 / ratio) > 1.25
)
select 'plausible_population' as name,
       case when (select count(*) from off) > 0 then 'warn' else 'pass' end as status,
       case when (select count(*) from off) = 0
            then format('every state''s population is within 1.25 times its 2020 census count (%s to %s times)',
                        (select round(min(ratio)::numeric, 2) from compared),
                        (select round(max(ratio)::numeric, 2) from compared))
            else format('%s state(s) more than 1.25 times over or under their 2020 census count: ',
                        (select count(*) from off))
                 || (select string_agg(format('%s %s (%s times %s its census count, %s)', state, population,
                                              round(times::numeric, 2),
                                              case when ratio > 1 then 'over' else 'under' end, census),
                                       '; ' order by n)
                     from off where n <= 10)
                 || case when (select count(*) from off) > 10
                         then format('; and %s more', (select count(*) from off) - 10) else '' end
       end as detail
