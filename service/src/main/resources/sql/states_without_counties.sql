-- States (and DC) the population file has no county for: their population would be missing,
-- so the product would silently lose a row.
select j.name
from dwh.jurisdictions j
where j.kind in ('state', 'district')
  and not exists (select 1 from raw.county_population p where p.state = j.name)
order by j.name
