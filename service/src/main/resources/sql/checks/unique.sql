-- dbt "unique": one product row per state, and per USPS code.
-- Each check file answers rows of (name, status, detail); status 'fail' fails the refresh.
with duplicate_states as (
    select state as value, count(*) as n from dwh.state_doses group by state having count(*) > 1
),
duplicate_codes as (
    select state_code::text as value, count(*) as n from dwh.state_doses group by state_code having count(*) > 1
)
select 'unique_state' as name,
       case when count(*) = 0 then 'pass' else 'fail' end as status,
       case when count(*) = 0 then 'every state has one row in dwh.state_doses'
            else 'dwh.state_doses has more than one row for '
                 || string_agg(format('%s (%s rows)', value, n), ', ' order by value) end as detail
from duplicate_states
union all
select 'unique_state_code',
       case when count(*) = 0 then 'pass' else 'fail' end,
       case when count(*) = 0 then 'every state_code has one row in dwh.state_doses'
            else 'dwh.state_doses has more than one row for state_code '
                 || string_agg(format('%s (%s rows)', value, n), ', ' order by value) end
from duplicate_codes
