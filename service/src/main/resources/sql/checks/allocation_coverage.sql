-- The two allocation sources over the same weeks and the same places. Each file can be complete
-- week by week (the completeness checks) while one covers less of the period than the other: a
-- Moderna file of its last week alone beside Pfizer's 28 put every state at about 1.52 people per
-- dose instead of 0.86; a Moderna file without the week of 2021-04-05, a Pfizer file that stops
-- in March. A week that one source has and the other has no row in is a warning naming the
-- weeks. One week is expected: Pfizer's first allocations came a week before Moderna's
-- (2020-12-14 and 2020-12-21), so that week is not counted, and only that one (a file that
-- starts a week after the other's is otherwise short of a week). The lake's cut files cover the
-- same weeks. Two national files (51 or more of the 54 states, DC and counted cities each) that
-- differ so fail the refresh first (sql/checks/sources/uncovered_weeks.sql): this warns of it in
-- smaller files, as the fixtures are.
--
-- Likewise the places: a state, DC or counted city with rows in one source and none at all in the
-- other (Texas left out of the whole Moderna file: every week then has 62 of 62 jurisdictions,
-- and Texas is published short of its Moderna doses). Where either file names 51 or more of the
-- 54, as the real ones do, that fails the refresh first (sql/checks/sources/missing_places.sql);
-- this warns of it in two smaller files. Territories and the freely associated states are not
-- compared: their doses count for no state either way.
with places as (
    select manufacturer as source, jurisdiction
    from run_allocation_places
),
missing_places as (
    select p.source, o.source as other, p.jurisdiction
    from places p
    cross join (values ('moderna'), ('pfizer')) as o (source)
    where o.source <> p.source
      and exists (select 1 from run_allocation_weeks where manufacturer = o.source)
      and not exists (select 1 from places x where x.source = o.source and x.jurisdiction = p.jurisdiction)
),
places_per_other as (
    select other, count(*) as places, min(source) as source,
           string_agg(jurisdiction, ', ' order by jurisdiction) filter (where n <= 10) as first_ten
    from (select *, row_number() over (partition by other order by jurisdiction) as n from missing_places) m
    group by other
),
weeks as (
    select manufacturer as source, week from run_allocation_weeks
),
firsts as (
    select source, min(week) as first_week, max(week) as last_week, count(*) as weeks
    from weeks group by source
),
missing as (
    -- Weeks of `source` that `other` has no row in, but for Pfizer's first week, 2020-12-14,
    -- when Moderna's first is 2020-12-21: that week, and only that one, is excused.
    select w.source, o.source as other, w.week
    from weeks w
    join firsts o on o.source <> w.source
    where not exists (select 1 from weeks x where x.source = o.source and x.week = w.week)
      and not (w.source = 'pfizer' and w.week = date '2020-12-14' and o.first_week = date '2020-12-21')
),
per_other as (
    select other, count(*) as weeks, min(source) as source,
           string_agg(week::text, ', ' order by week) filter (where n <= 10) as first_ten
    from (select *, row_number() over (partition by other order by week) as n from missing) m
    group by other
)
select 'allocation_coverage' as name,
       case when (select count(*) from firsts) = 2 and not exists (select 1 from missing)
                 and not exists (select 1 from missing_places) then 'pass'
            else 'warn' end as status,
       case when (select count(*) from firsts) < 2
                then 'only one allocation source has rows: the other covers no week'
            when not exists (select 1 from missing) and not exists (select 1 from missing_places)
                then (select string_agg(case when weeks = 1 then format('%s 1 week, %s', source, first_week)
                                             else format('%s %s weeks, %s to %s', source, weeks, first_week,
                                                         last_week) end,
                                        '; ' order by source) from firsts)
                     || ': each has a row in every week of the other''s, and for every state, DC and city'
            else concat_ws('; ',
                    (select string_agg(format('%s has no row in %s week%s that %s has: %s%s', other, weeks,
                                              case when weeks = 1 then '' else 's' end, source, first_ten,
                                              case when weeks > 10 then format(' and %s more', weeks - 10) else '' end),
                                       '; ' order by other) from per_other),
                    (select string_agg(format('%s has no row for %s state%s or cit%s that %s has: %s%s', other,
                                              places, case when places = 1 then '' else 's' end,
                                              case when places = 1 then 'y' else 'ies' end, source, first_ten,
                                              case when places > 10 then format(' and %s more', places - 10) else '' end),
                                       '; ' order by other) from places_per_other))
       end as detail
