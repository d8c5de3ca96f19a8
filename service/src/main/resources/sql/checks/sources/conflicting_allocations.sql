-- A jurisdiction and week that a source lists twice with different values: the source
-- contradicts itself, so no total built from it can be trusted. (A row repeated verbatim is
-- harmless: run_allocations holds it once.) run_allocations (sql/stage_allocations.sql) flags
-- such weeks, and the refresh runs this only when one is flagged, to name the lines: the first
-- conflict in line order, its first line, and the first line that gives that week other values.
with conflicts as (
    select manufacturer, jurisdiction, week_of_allocations
    from run_allocations
    where conflicting
),
allocation_rows as (
    select 'moderna' as source, line, jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations
    from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations
    from raw.cdc_pfizer_allocations
),
conflicting_rows as (
    select r.*,
           first_value(r.line) over same_week as first_line,
           first_value(r.first_dose_allocations) over same_week as first_of_first_line,
           first_value(r.second_dose_allocations) over same_week as second_of_first_line
    from allocation_rows r
    join conflicts c on c.manufacturer = r.source
                    and c.jurisdiction = r.jurisdiction
                    and c.week_of_allocations = r.week_of_allocations
    window same_week as (partition by r.source, r.jurisdiction, r.week_of_allocations order by r.line)
)
select source,
       jurisdiction,
       week_of_allocations,
       min(first_line) as first_line,
       min(line) filter (where first_dose_allocations <> first_of_first_line
                            or second_dose_allocations <> second_of_first_line) as other_line
from conflicting_rows
group by source, jurisdiction, week_of_allocations
order by first_line
limit 1
