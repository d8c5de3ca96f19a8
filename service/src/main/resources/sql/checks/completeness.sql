-- Completeness of each allocation source, per week: how many jurisdictions each week has. A week
-- with fewer than the most complete week of the same source is a warning naming the week and its
-- count; it is often a cut-off download (the lake's files stop after 1000 rows, mid-week).
with per_week as (
    -- run_allocations holds a jurisdiction once per source and week: run_allocation_weeks counts them.
    select manufacturer as source, week, jurisdictions
    from run_allocation_weeks
),
ranked as (
    select source, week, jurisdictions, max(jurisdictions) over (partition by source) as most
    from per_week
),
per_source as (
    select s.position,
           s.source,
           count(r.week) as weeks,
           max(r.most) as most,
           count(r.week) filter (where r.jurisdictions < r.most) as short_weeks,
           string_agg(format('week %s has %s of %s jurisdictions', r.week, r.jurisdictions, r.most), '; '
                      order by r.week) filter (where r.jurisdictions < r.most) as short
    from (values (1, 'moderna'), (2, 'pfizer')) as s (position, source)
    left join ranked r on r.source = s.source
    group by s.position, s.source
)
select 'completeness_' || source as name,
       case when short_weeks = 0 then 'pass' else 'warn' end as status,
       case when weeks = 0 then 'no weeks'
            when weeks = 1 then format('1 week, with %s jurisdiction%s', most, case when most = 1 then '' else 's' end)
            when short_weeks = 0 then format('all %s weeks have %s jurisdiction%s', weeks, most,
                                             case when most = 1 then '' else 's' end)
            else short end as detail
from per_source
order by position
