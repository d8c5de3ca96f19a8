-- People per dose far from the other states'. Every name in the sources can be known and every
-- dose accounted for while a state's row is still absurd: Vermont's and Texas's names exchanged in
-- an allocation file publish Vermont at 0.04 people per dose, and a state whose rows a partial
-- export left out has no doses at all. The real states lie within 1.5 times of their median (0.57
-- to 0.97 around 0.86 in the complete series, 0.99 to 1.41 around 1.25 in the lake's cut), as doses
-- were allocated by population; single weeks spread wider (Alaska is up to 7.3 times under the
-- median in some weeks, and has weeks of none). So a state more than 3 times over or under the
-- median, or without doses, is a warning, and more than 10 times fails the refresh.
-- Compared as doses per person, computed from the row's numbers (not its rounded ratio, which is
-- 0 for an absurd number of doses, and null without doses). The median is the dosed states'; when
-- fewer than 10 states have doses there is nothing to compare with, and the states without doses
-- are still named, as a warning: allocation files that left out most states are not a product to
-- publish without a word (the fixtures, which allocate to three states, carry this warning).
--
-- The median itself can be absurd: both allocation files in thousands put every state near 840
-- people per dose, both ten times over near 0.09, and each state stays in line with the others
-- (and each file with the other: sql/checks/sources/allocation_scales.sql compares them). So when
-- the states' people are the census's (within 0.8 and 1.25 times their 2020 count together, as a
-- real county file's are: 0.98), their doses per 2020 census resident and week, over the weeks of
-- the sources, are compared with the real files': 0.017 in the quietest week of both makers
-- together, 0.052 in the busiest. Over 4 times the busiest, or under a tenth of the quietest, is a
-- warning. Not a failure, and not judged against another county file: a test's files are
-- allocated as it likes (the tests' census-sized files allocate 0.004 a resident a week).
with rated as (
    select state, population, doses_total, doses_total::float8 / population as doses_per_person
    from dwh.state_doses
    where population > 0
),
median as (
    -- Over the states with doses: states without any are named apart, and with half the states
    -- left out they would make a state with a fraction of its doses the median.
    select percentile_cont(0.5) within group (order by doses_per_person) as doses_per_person,
           count(*) as dosed
    from rated
    where doses_total > 0
),
off as (
    select r.state, r.doses_total, r.population,
           case when m.dosed >= 10 then 1 / m.doses_per_person end as median,
           case when r.doses_total > 0 and m.dosed >= 10
                then greatest(r.doses_per_person / m.doses_per_person, m.doses_per_person / r.doses_per_person)
           end as times
    from rated r
    cross join median m
),
none as (
    select count(*) as states, string_agg(state, ', ' order by state) filter (where n <= 10) as first_ten
    from (select state, row_number() over (order by state) as n from off where doses_total = 0) z
),
scale as (
    -- The states' doses per 2020 census resident and week, when their people are the census's and
    -- ten of them or more have doses; null otherwise.
    select case when sum(s.population) between 0.8 * sum(j.census_2020_population)
                                           and 1.25 * sum(j.census_2020_population)
                     and (select dosed from median) >= 10
                then sum(s.doses_total)::float8 / sum(j.census_2020_population)
                     / nullif((select count(distinct week) from run_allocation_weeks), 0)
           end as rate
    from dwh.state_doses s
    join dwh.jurisdictions j on j.name = s.state
    where j.census_2020_population is not null
),
units as (
    -- Over 4 times the busiest real week (0.052), or under a tenth of the quietest (0.017).
    select rate, coalesce(rate > 4 * 0.052 or rate < 0.017 / 10, false) as off
    from scale
),
judged as (
select 'plausible_people_per_dose' as name,
       case when max(times) > 10 then 'fail'
            when max(times) > 3 or bool_or(doses_total = 0) then 'warn'
            else 'pass' end as status,
       case when max(median) is null
                then format('%s of the %s states have no doses, too many to compare the others with a median: %s',
                            max(none.states), count(*), max(none.first_ten))
                     || case when max(none.states) > 10 then format(' and %s more', max(none.states) - 10) else '' end
            when max(times) <= 3 and not bool_or(doses_total = 0)
                then format('every state''s people per dose is within 3 times the median of the states, %s',
                            round(max(median)::numeric, 4))
            else format('%s state(s) far from the median people per dose of the states, %s',
                        count(*) filter (where times > 3 or doses_total = 0), round(max(median)::numeric, 4))
                 -- A failure says which states fail it, and they come first: the farthest lead,
                 -- the states without doses (a warning) close the list.
                 || case when max(times) > 10
                         then format(', %s of them over 10 times, which fails the refresh',
                                     count(*) filter (where times > 10))
                         else '' end
                 || ': '
                 || string_agg(case when doses_total = 0 then format('%s no doses', state)
                                    else format('%s %s (%s times %s)', state,
                                                round(population::numeric / doses_total, 4),
                                                round(times::numeric, 1),
                                                case when population::float8 / doses_total < median then 'under'
                                                     else 'over' end) end, '; '
                               order by times desc nulls last, state) filter (where times > 3 or doses_total = 0)
       end as detail
from off
cross join none
)
select j.name,
       case when j.status = 'pass' and u.off then 'warn' else j.status end as status,
       j.detail
       || case when u.off
               then format('; but the states are allocated %s doses per 2020 census resident a week, with their '
                           'people the census''s (the real files: 0.017 to 0.052): are both allocation files '
                           'in other units (thousands, tens)?',
                           case when u.rate < 0.01 then round(u.rate::numeric, 6) else round(u.rate::numeric, 4) end)
               else '' end as detail
from judged j
cross join units u
