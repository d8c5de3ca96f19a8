-- A state, DC or counted city that takes a new name partway through an allocation source: from
-- some week on, the source names a jurisdiction dwh.jurisdictions does not know, and in exactly
-- those weeks one jurisdiction it knows, which has rows in the source's other weeks, has none.
-- Its doses of those weeks would count for no state (an exclusion of kind unknown, with only the
-- accepted_values warning), and the state would be published short of them; the weekly
-- completeness check sees nothing, since each week still has as many jurisdictions. The CDC did
-- change names mid-series once (footnote marks from March 2021, which SourceValues.name strips).
--
-- Only a one-for-one replacement counts: a name that appears with the jurisdiction it would
-- replace, or in weeks where several known names are missing (a week cut short, as in the lake's
-- 1000-row files), or in weeks where none is missing ('Atlantis') stays the warning. A name that
-- replaces a state in every week cannot be told from a new jurisdiction here, and stays the
-- warning too. sql/checks/sources/misspelt_jurisdictions.sql, run before this, catches a state
-- written another way (case, spacing, invisible characters).
--
-- Run only when run_allocations has a name it does not know (refresh/Checks.java). The first such
-- name, by source and line, with the jurisdiction it replaces and the state that one counts for.
with known as (
    select manufacturer, jurisdiction, week_of_allocations as week,
           coalesce(folds_into, jurisdiction) as state
    from run_allocations a
    left join dwh.jurisdictions j on j.name = a.jurisdiction
    where a.kind in ('state', 'district', 'city')
),
unknown as (
    select manufacturer, jurisdiction, week_of_allocations as week,
           first_dose_allocations + second_dose_allocations as doses
    from run_allocations
    where kind is null
),
unknown_names as (
    select manufacturer, jurisdiction, count(*) as weeks, sum(doses) as doses,
           min(week) as first_week, max(week) as last_week
    from unknown
    group by manufacturer, jurisdiction
),
known_names as (
    select distinct manufacturer, jurisdiction, state from known
),
missing as (
    -- For each unknown name, the known names of its source with no row in any of its weeks.
    select n.manufacturer, n.jurisdiction as unknown, k.jurisdiction as replaced, k.state
    from unknown_names n
    join known_names k on k.manufacturer = n.manufacturer
    where not exists (
        select 1
        from unknown u
        join known w on w.manufacturer = u.manufacturer and w.week = u.week
        where u.manufacturer = n.manufacturer and u.jurisdiction = n.jurisdiction
          and w.jurisdiction = k.jurisdiction
    )
),
renamed as (
    -- One known name missing in those weeks, no more: a replacement, not a week cut short.
    select m.manufacturer, m.unknown, min(m.replaced) as replaced, min(m.state) as state
    from missing m
    group by m.manufacturer, m.unknown
    having count(*) = 1
),
allocation_rows as (
    select 'moderna' as source, line, jurisdiction from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction from raw.cdc_pfizer_allocations
)
select r.manufacturer as source, r.unknown as jurisdiction, r.replaced, r.state,
       n.weeks, n.doses, n.first_week, n.last_week,
       (select min(a.line) from allocation_rows a where a.source = r.manufacturer and a.jurisdiction = r.unknown)
           as first_line
from renamed r
join unknown_names n on n.manufacturer = r.manufacturer and n.jurisdiction = r.unknown
order by r.manufacturer, first_line
limit 1
