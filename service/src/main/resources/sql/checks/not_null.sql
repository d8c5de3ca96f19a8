-- dbt "not_null": the product's required columns. people_per_dose is left out on purpose:
-- it is null when a state has no doses.
with nulls as (
    select count(*) filter (where state is null)         as state,
           count(*) filter (where state_code is null)    as state_code,
           count(*) filter (where population is null)    as population,
           count(*) filter (where doses_moderna is null) as doses_moderna,
           count(*) filter (where doses_pfizer is null)  as doses_pfizer,
           count(*) filter (where doses_total is null)   as doses_total,
           count(*) filter (where refreshed_at is null)  as refreshed_at,
           count(*) filter (where run_id is null)        as run_id
    from dwh.state_doses
),
null_columns as (
    select c.position, c.column_name, c.rows
    from nulls,
         lateral (values (1, 'state', nulls.state), (2, 'state_code', nulls.state_code),
                         (3, 'population', nulls.population), (4, 'doses_moderna', nulls.doses_moderna),
                         (5, 'doses_pfizer', nulls.doses_pfizer), (6, 'doses_total', nulls.doses_total),
                         (7, 'refreshed_at', nulls.refreshed_at), (8, 'run_id', nulls.run_id))
             as c (position, column_name, rows)
    where c.rows > 0
)
select 'not_null' as name,
       case when count(*) = 0 then 'pass' else 'fail' end as status,
       case when count(*) = 0
            then 'state, state_code, population, doses_moderna, doses_pfizer, doses_total, refreshed_at '
                 || 'and run_id are set in every row'
            else 'null in dwh.state_doses: '
                 || string_agg(format('%s (%s rows)', column_name, rows), ', ' order by position) end as detail
from null_columns
