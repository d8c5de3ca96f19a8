-- The product as stored is the product as defined: in every row of dwh.state_doses and
-- dwh.state_doses_weekly, doses_total is the two makers' doses added, people_per_dose is the
-- population over it rounded to 4 decimals (null without doses), and state_code is the
-- reference's (the weekly rows', their state row's). The build writes them so; what can make
-- them otherwise is the warehouse changed by hand: a trigger that rewrote people_per_dose to 0 on
-- insert, a column narrowed to numeric(14,2), a trigger that lower-cased state_code. Each loaded,
-- every other check passed, and wrong numbers were served. Compared as the column gives the value
-- back (::numeric): a real column's 0.8368 passes, its 333.333 for 333.3333 does not.
with product as (
    select 'dwh.state_doses' as tbl, s.state as place,
           s.doses_total is distinct from s.doses_moderna + s.doses_pfizer as total_off,
           s.people_per_dose::numeric is distinct from
               round(s.population::numeric / nullif(s.doses_moderna + s.doses_pfizer, 0), 4) as ratio_off,
           s.state_code is distinct from j.state_code as code_off
    from dwh.state_doses s
    left join dwh.jurisdictions j on j.name = s.state
),
weekly as (
    select 'dwh.state_doses_weekly' as tbl, w.state || ' ' || w.week as place,
           w.doses_total_cumulative is distinct from w.doses_moderna_cumulative + w.doses_pfizer_cumulative
               as total_off,
           w.people_per_dose::numeric is distinct from
               round(s.population::numeric / nullif(w.doses_moderna_cumulative + w.doses_pfizer_cumulative, 0), 4)
               as ratio_off,
           w.state_code is distinct from s.state_code as code_off
    from dwh.state_doses_weekly w
    left join dwh.state_doses s on s.state = w.state
),
wrong as (
    select tbl, place,
           concat_ws(', ', case when total_off then 'doses_total' end, case when ratio_off then 'people_per_dose' end,
                     case when code_off then 'state_code' end) as columns,
           row_number() over (order by tbl, place) as n
    from (select * from product union all select * from weekly) rows
    where total_off or ratio_off or code_off
)
select 'derived_values' as name,
       case when count(*) = 0 then 'pass' else 'fail' end as status,
       case when count(*) = 0
            then 'doses_total, people_per_dose and state_code are as the product defines them in every row of '
                 || 'dwh.state_doses and dwh.state_doses_weekly'
            else format('%s row(s) store other values than the product defines (a trigger, a rule or a column type '
                        || 'changed by hand in the warehouse?): %s%s', count(*),
                        string_agg(format('%s %s (%s)', tbl, place, columns), '; ' order by n) filter (where n <= 5),
                        case when count(*) > 5 then format('; and %s more', count(*) - 5) else '' end) end as detail
from wrong
