-- The product has one row per state and DC: 51 rows, never more, never fewer.
select 'row_count' as name,
       case when count(*) = 51 then 'pass' else 'fail' end as status,
       format('dwh.state_doses has %s rows%s', count(*),
              case when count(*) = 51 then ': the 50 states and DC'
                   else ', expected 51 (the 50 states and DC)' end) as detail
from dwh.state_doses
