-- How dwh_reader's privileges in this database differ from those sql/reader_grants.sql gives it,
-- one row per difference; none when they are exactly those. The service checks this at start and
-- runs the grants only when something differs: a start then writes nothing to the catalog, and
-- never waits for a refresh (which truncates the raw tables) to end.
with wanted (name) as (
    values ('dwh.state_doses'), ('dwh.state_doses_weekly'), ('dwh.refresh_runs'),
           ('dwh.refresh_run_sources'), ('dwh.refresh_checks'), ('dwh.refresh_exclusions')
),
tables as (
    select c.oid, n.nspname || '.' || c.relname as name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('raw', 'dwh') and c.relkind in ('r', 'v', 'm', 'p', 'f')
)
select 'no select on ' || name
from wanted
where not has_table_privilege('dwh_reader', name, 'select')
union all
select 'more than select on ' || t.name
from tables t
where has_table_privilege('dwh_reader', t.oid, 'insert, update, delete, truncate, references, trigger')
   or (t.name not in (select name from wanted) and has_table_privilege('dwh_reader', t.oid, 'select'))
union all
select 'no usage on schema dwh'
where not has_schema_privilege('dwh_reader', 'dwh', 'usage')
union all
select 'create on schema ' || s
from unnest(array['dwh', 'raw']) as s
where has_schema_privilege('dwh_reader', s, 'create')
union all
select 'usage on schema raw'
where has_schema_privilege('dwh_reader', 'raw', 'usage')
order by 1
