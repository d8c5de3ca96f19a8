-- Allocation weeks after the week the refresh runs in (and the next, which may be announced
-- ahead). A week of 2031 or 9999 is a typo or a broken export, and the weekly table would run to
-- it; the completeness check notices only when the week has fewer jurisdictions than the others,
-- and a whole week moved there passed without a word. A warning, naming the weeks (the first ten)
-- and their rows: the benchmarks' 300 copies of the series are dated up to 160 years ahead, and
-- their numbers are still right for what they are.
with future as (
    select week_of_allocations as week,
           count(*) filter (where manufacturer = 'moderna') as moderna,
           count(*) filter (where manufacturer = 'pfizer') as pfizer
    from run_allocations
    where week_of_allocations > date_trunc('week', statement_timestamp())::date + 7
    group by week_of_allocations
),
named as (
    select week, moderna, pfizer, row_number() over (order by week) as n from future
)
select 'future_weeks' as name,
       case when exists (select 1 from future) then 'warn' else 'pass' end as status,
       case when not exists (select 1 from future)
            then 'no week is later than the week after the one the refresh runs in'
            else format('%s week(s) later than the week after the one the refresh runs in: ', (select count(*) from future))
                 || (select string_agg(format('%s (%s)', week,
                                              concat_ws(', ', case when moderna > 0 then format('moderna %s row%s', moderna,
                                                                   case when moderna = 1 then '' else 's' end) end,
                                                              case when pfizer > 0 then format('pfizer %s row%s', pfizer,
                                                                   case when pfizer = 1 then '' else 's' end) end)),
                                       '; ' order by week)
                     from named where n <= 10)
                 || case when (select count(*) from future) > 10
                         then format('; and %s more', (select count(*) from future) - 10) else '' end
       end as detail
