-- An allocation source that names a jurisdiction dwh.jurisdictions does not know while a state (or
-- DC) that had allocations from that manufacturer in the last good product has no row of its own
-- in it: most likely the state under a new name upstream ('Washington, D.C.' for 'District of
-- Columbia'). Its doses would count for no state (an exclusion of kind unknown, with only the
-- accepted_values warning) and the state would be published short of them, as if it had been
-- allocated nothing that week. sql/checks/sources/misspelt_jurisdictions.sql catches a state
-- written another way (case, spacing, invisible characters); this catches a new name, by what
-- went missing. A name like no other with no state gone ('Atlantis') stays the warning, and so
-- does a first refresh, with no product to compare with.
--
-- Run inside the refresh, before the product is rebuilt: dwh.state_doses is still the last good
-- product. Run only when run_allocations has a name it does not know (refresh/Checks.java).
-- The first unknown name, by source and line, with the state gone from the same source.
with unknown as (
    select manufacturer, jurisdiction, count(*) as weeks,
           sum(first_dose_allocations + second_dose_allocations) as doses
    from run_allocations
    where kind is null
    group by manufacturer, jurisdiction
),
gone as (
    -- States with doses of that manufacturer in the last good product, and no row of their own now.
    select m.manufacturer, s.state,
           case m.manufacturer when 'moderna' then s.doses_moderna else s.doses_pfizer end as doses_before
    from dwh.state_doses s
    cross join (values ('moderna'), ('pfizer')) as m (manufacturer)
    where case m.manufacturer when 'moderna' then s.doses_moderna else s.doses_pfizer end > 0
      and not exists (select 1 from run_allocations a
                      where a.manufacturer = m.manufacturer and a.jurisdiction = s.state)
),
allocation_rows as (
    select 'moderna' as source, line, jurisdiction from raw.cdc_moderna_allocations
    union all
    select 'pfizer', line, jurisdiction from raw.cdc_pfizer_allocations
),
renamed as (
    select u.manufacturer as source, u.jurisdiction, u.weeks, u.doses,
           (select min(g.state) from gone g where g.manufacturer = u.manufacturer) as state,
           (select count(*) from gone g where g.manufacturer = u.manufacturer) as states_gone
    from unknown u
    where exists (select 1 from gone g where g.manufacturer = u.manufacturer)
)
select r.source, r.jurisdiction, r.weeks, r.doses, r.state, r.states_gone,
       (select g.doses_before from gone g where g.manufacturer = r.source and g.state = r.state) as doses_before,
       min(a.line) as first_line
from renamed r
join allocation_rows a on a.source = r.source and a.jurisdiction = r.jurisdiction
group by r.source, r.jurisdiction, r.weeks, r.doses, r.state, r.states_gone
order by r.source, first_line
limit 1
