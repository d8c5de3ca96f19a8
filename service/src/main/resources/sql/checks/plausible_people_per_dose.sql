-- People per dose far from the other states'. Every name in the sources can be known and every
-- dose accounted for while a state's row is still absurd: Vermont's and Texas's names exchanged in
-- an allocation file publish Vermont at 0.04 people per dose and Texas at 40. The real states lie
-- within 1.5 times of their median (0.57 to 0.97 around 0.86 in the complete series, 0.99 to
-- 1.41 around 1.25 in the lake's cut), as doses were allocated by population. A state more than
-- 3 times over or under the median of the states with doses is a warning; more than 10 times
-- fails the refresh. States without doses (no ratio) are not compared.
with rated as (
    select state, people_per_dose
    from dwh.state_doses
    where people_per_dose > 0
),
median as (
    select percentile_cont(0.5) within group (order by people_per_dose) as people_per_dose from rated
),
off as (
    select r.state, r.people_per_dose, m.people_per_dose as median,
           greatest(r.people_per_dose / m.people_per_dose, m.people_per_dose / r.people_per_dose) as times
    from rated r
    cross join median m
)
select 'plausible_people_per_dose' as name,
       case when max(times) > 10 then 'fail' when max(times) > 3 then 'warn' else 'pass' end as status,
       case when count(*) = 0 then 'no state has doses'
            when max(times) <= 3
                then format('every state''s people per dose is within 3 times the median of the states, %s',
                            round(max(median)::numeric, 4))
            else format('%s state(s) far from the median people per dose of the states, %s: ',
                        count(*) filter (where times > 3), round(max(median)::numeric, 4))
                 || string_agg(format('%s %s (%s times %s)', state, people_per_dose, round(times::numeric, 1),
                                      case when people_per_dose < median then 'under' else 'over' end), '; '
                               order by times desc) filter (where times > 3)
       end as detail
from off
