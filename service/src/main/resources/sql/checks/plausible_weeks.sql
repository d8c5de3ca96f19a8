-- Allocation weeks no allocation can have, each a warning naming the weeks (the first ten) and
-- their rows per source:
--
-- * before the manufacturer's first allocations: Pfizer's vaccine was authorised on 2020-12-11
--   and first allocated in the week of 2020-12-14, Moderna's on 2020-12-18, first allocated in
--   the week of 2020-12-21. Moderna rows in the week of 2020-12-14 are most likely Pfizer's: the
--   two URLs exchanged (MODERNA_URL pointing at the Pfizer file), which publishes every state's
--   doses under the wrong manufacturer while every total stays right.
-- * later than the week after the one the refresh runs in (that one may be announced ahead): a
--   week of 2031 or 9999 is a typo or a broken export, and the weekly table would run to it. The
--   completeness check notices only a week with fewer jurisdictions than the others.
--
-- Warnings, not failures: bench/growth.sh dates its 300 copies of the series up to 160 years
-- ahead on purpose, and a test's own files may be dated as it likes.
with bounds (manufacturer, first_week) as (
    values ('pfizer', date '2020-12-14'), ('moderna', date '2020-12-21')
),
odd as (
    select a.week,
           a.week < b.first_week as early,
           coalesce(sum(a.jurisdictions) filter (where a.manufacturer = 'moderna'), 0) as moderna,
           coalesce(sum(a.jurisdictions) filter (where a.manufacturer = 'pfizer'), 0) as pfizer
    from run_allocation_weeks a
    join bounds b on b.manufacturer = a.manufacturer
    where a.week < b.first_week
       -- The week in UTC, as every time the service keeps: in the session's zone (the JVM's,
       -- which the driver passes on), a Monday's first hours east of UTC began another week.
       or a.week > date_trunc('week', statement_timestamp() at time zone 'UTC')::date + 7
    group by a.week, a.week < b.first_week
),
named as (
    select week, early, moderna, pfizer, row_number() over (partition by early order by week) as n from odd
),
described as (
    select early, count(*) as weeks,
           string_agg(format('%s (%s)', week,
                             concat_ws(', ', case when moderna > 0 then format('moderna %s row%s', moderna,
                                                  case when moderna = 1 then '' else 's' end) end,
                                             case when pfizer > 0 then format('pfizer %s row%s', pfizer,
                                                  case when pfizer = 1 then '' else 's' end) end)),
                      '; ' order by week) filter (where n <= 10) as first_ten
    from named
    group by early
)
select 'plausible_weeks' as name,
       case when exists (select 1 from odd) then 'warn' else 'pass' end as status,
       case when not exists (select 1 from odd)
            then 'every week lies between its manufacturer''s first allocations (pfizer 2020-12-14, moderna '
                 || '2020-12-21) and the week after the one the refresh runs in'
            else concat_ws('; ',
                    (select format('%s week(s) before the manufacturer''s first allocations (pfizer 2020-12-14, '
                                   || 'moderna 2020-12-21; are MODERNA_URL and PFIZER_URL exchanged?): %s%s',
                                   weeks, first_ten,
                                   case when weeks > 10 then format('; and %s more', weeks - 10) else '' end)
                     from described where early),
                    (select format('%s week(s) later than the week after the one the refresh runs in: %s%s',
                                   weeks, first_ten,
                                   case when weeks > 10 then format('; and %s more', weeks - 10) else '' end)
                     from described where not early))
       end as detail
