-- dbt "accepted_values": every jurisdiction the allocation sources name is in the reference
-- dwh.jurisdictions. An unknown name is a warning, not a failure: its doses are not lost, they
-- are reported as an exclusion of kind 'unknown'.
with unknown as (
    select a.jurisdiction,
           string_agg(distinct a.manufacturer, ', ') as sources,
           sum(a.first_dose_allocations + a.second_dose_allocations) as doses
    from run_allocations a
    where a.kind is null -- run_allocations found no such name in dwh.jurisdictions
    group by a.jurisdiction
)
select 'accepted_values_jurisdiction' as name,
       case when count(*) = 0 then 'pass' else 'warn' end as status,
       case when count(*) = 0 then 'every jurisdiction in the allocation sources is in dwh.jurisdictions'
            else format('%s jurisdiction(s) not in dwh.jurisdictions, their doses reported as exclusions '
                        || 'of kind unknown: ', count(*))
                 || string_agg(format('%s (%s, %s doses)', jurisdiction, sources, doses), '; '
                               order by jurisdiction) end as detail
from unknown
