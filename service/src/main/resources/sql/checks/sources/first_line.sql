-- The first line of a jurisdiction in one allocation source (:source, :jurisdiction). Only the
-- source's own raw table is read: the other branch's constant fails the filter.
select min(line)
from (select 'moderna' as source, line, jurisdiction from raw.cdc_moderna_allocations
      union all
      select 'pfizer', line, jurisdiction from raw.cdc_pfizer_allocations) as allocation_rows
where source = :source and jurisdiction = :jurisdiction
