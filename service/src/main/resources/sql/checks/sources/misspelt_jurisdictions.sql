-- Allocation rows under a name dwh.jurisdictions does not know, but which has the same letters and
-- digits, ignoring case, as a jurisdiction it does: 'ALASKA', 'New York' with a non-breaking
-- space, 'Te' + zero-width space + 'xas', a byte-order mark in the middle of the file before
-- '"Ohio"', 'PUERTO RICO'. Such a name is that jurisdiction written another way, not a new one.
-- * A state's, DC's or a counted city's: its doses would be left out of its state (reported only
--   as an exclusion of kind unknown, with a warning) while the state's row is published short of
--   them.
-- * A territory's, a freely associated state's or the Federal Entities', in a week the source
--   also gives under the right name (a file that names the place both ways, as two versions of a
--   file pasted together do): those doses would be counted twice, among the exclusions and the
--   doses in the sources. Alone in its weeks, such a name stays the warning of
--   checks/accepted_values.sql, as a name like no other ('Atlantis') does: its doses are reported
--   once, as an exclusion of kind unknown, which the product leaves out either way.
-- The first such name, by source and line: its first line, rows and doses, the jurisdiction it
-- matches, the state that jurisdiction's doses count for (null for one that counts for
-- none), and the weeks it shares with the right name. Run only when run_allocations has a name it
-- does not know (refresh/Checks.java), so a clean refresh does not scan the raw tables.
with near_misses as (
    select a.manufacturer, a.jurisdiction, j.name as meant,
           case when j.kind in ('state', 'district', 'city') then coalesce(j.folds_into, j.name) end as state,
           count(*) as weeks, sum(a.first_dose_allocations + a.second_dose_allocations) as doses,
           count(*) filter (where exists (
               select from run_allocations b
               where b.manufacturer = a.manufacturer and b.jurisdiction = j.name
                 and b.week_of_allocations = a.week_of_allocations)) as weeks_twice
    from run_allocations a
    join dwh.jurisdictions j
      on lower(regexp_replace(j.name, '[^A-Za-z0-9]', '', 'g') collate "C")
         = lower(regexp_replace(a.jurisdiction, '[^A-Za-z0-9]', '', 'g') collate "C")
    where a.kind is null
    group by a.manufacturer, a.jurisdiction, j.name, j.kind, j.folds_into
),
allocation_rows as (
    select 'moderna' as source, line, jurisdiction from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction from raw.cdc_pfizer_allocations
)
select n.manufacturer as source, n.jurisdiction, n.meant, n.state, n.weeks, n.doses,
       n.weeks_twice, min(r.line) as first_line
from near_misses n
join allocation_rows r on r.source = n.manufacturer and r.jurisdiction = n.jurisdiction
where n.state is not null or n.weeks_twice > 0
group by n.manufacturer, n.jurisdiction, n.meant, n.state, n.weeks, n.doses, n.weeks_twice
order by n.manufacturer, first_line
limit 1
