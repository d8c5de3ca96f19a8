-- Allocation rows under a name dwh.jurisdictions does not know, but which has the same letters and
-- digits, ignoring case, as a state, DC or a city the product counts: 'ALASKA', 'New York' with a
-- non-breaking space, 'Te' + zero-width space + 'xas', or a byte-order mark in the middle of the
-- file before '"Ohio"'. Such a name is the state written another way, not a new jurisdiction, and
-- its doses would be left out of its state (reported only as an exclusion of kind unknown, with a
-- warning) while the state's row is published short of them. A name like no other ('Atlantis')
-- stays the warning of checks/accepted_values.sql, and so does a territory written another way,
-- whose doses the product leaves out either way.
-- The first such name, by source and line: its first line, rows and doses, the jurisdiction it
-- matches and the state that jurisdiction's doses count for. Run only when run_allocations has a
-- name it does not know (refresh/Checks.java), so a clean refresh does not scan the raw tables.
with near_misses as (
    select a.manufacturer, a.jurisdiction, j.name as meant, coalesce(j.folds_into, j.name) as state,
           count(*) as weeks, sum(a.first_dose_allocations + a.second_dose_allocations) as doses
    from run_allocations a
    join dwh.jurisdictions j
      on j.kind in ('state', 'district', 'city')
     and lower(regexp_replace(j.name, '[^A-Za-z0-9]', '', 'g') collate "C")
         = lower(regexp_replace(a.jurisdiction, '[^A-Za-z0-9]', '', 'g') collate "C")
    where a.kind is null
    group by a.manufacturer, a.jurisdiction, j.name, j.folds_into
),
allocation_rows as (
    select 'moderna' as source, line, jurisdiction from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction from raw.cdc_pfizer_allocations
)
select n.manufacturer as source, n.jurisdiction, n.meant, n.state, n.weeks, n.doses,
       min(r.line) as first_line
from near_misses n
join allocation_rows r on r.source = n.manufacturer and r.jurisdiction = n.jurisdiction
group by n.manufacturer, n.jurisdiction, n.meant, n.state, n.weeks, n.doses
order by n.manufacturer, first_line
limit 1
