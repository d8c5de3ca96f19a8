-- How dwh_reader's privileges in this database differ from those sql/reader_grants.sql gives it,
-- one row per difference; none when they are exactly those. The service checks this at start and
-- runs the grants only when something differs: a start then writes nothing to the catalog, and
-- never waits for a refresh (which truncates the raw tables) to end.
--
-- It reads the privileges granted to the role itself, every one the catalog of this database can
-- hold: on tables, views and sequences, on their columns (which has_table_privilege does not
-- see), on schemas, routines, types, languages, large objects, foreign data wrappers and servers,
-- on the database, and default privileges (which give it the tables created later). What it may
-- have is usage on schema dwh, select on the six tables below (no grant option), and connect on
-- the database; anything else is reported, and reader_grants.sql revokes it. Privileges it holds
-- through PUBLIC or through another role are not its grants, and not reported here.
with reader as (
    select oid from pg_roles where rolname = 'dwh_reader'
),
-- Every access list of this database, with the object it is on (the identity pg_identify_object names).
acl (classid, objid, objsubid, acl) as (
    select 'pg_class'::regclass, oid, 0, relacl from pg_class
    union all select 'pg_class'::regclass, attrelid, attnum::int, attacl from pg_attribute
    union all select 'pg_namespace'::regclass, oid, 0, nspacl from pg_namespace
    union all select 'pg_proc'::regclass, oid, 0, proacl from pg_proc
    union all select 'pg_type'::regclass, oid, 0, typacl from pg_type
    union all select 'pg_language'::regclass, oid, 0, lanacl from pg_language
    union all select 'pg_largeobject'::regclass, oid, 0, lomacl from pg_largeobject_metadata
    union all select 'pg_foreign_data_wrapper'::regclass, oid, 0, fdwacl from pg_foreign_data_wrapper
    union all select 'pg_foreign_server'::regclass, oid, 0, srvacl from pg_foreign_server
    union all select 'pg_database'::regclass, oid, 0, datacl from pg_database where datname = current_database()
    union all select 'pg_default_acl'::regclass, oid, 0, defaclacl from pg_default_acl
),
granted (classid, objid, objsubid, privilege, grantable) as (
    select distinct acl.classid, acl.objid, acl.objsubid, a.privilege_type, a.is_grantable
    from acl, aclexplode(acl.acl) a
    where acl.acl is not null -- most objects have none: a scan skips them
      and a.grantee = (select oid from reader)
),
wanted (classid, objid, objsubid, privilege) as (
    select 'pg_class'::regclass, c.oid, 0, 'SELECT'
    from pg_class c
    where c.oid in ('dwh.state_doses'::regclass, 'dwh.state_doses_weekly'::regclass, 'dwh.refresh_runs'::regclass,
                    'dwh.refresh_run_sources'::regclass, 'dwh.refresh_checks'::regclass,
                    'dwh.refresh_exclusions'::regclass)
    union all
    select 'pg_namespace'::regclass, 'dwh'::regnamespace::oid, 0, 'USAGE'
),
allowed (classid, objid, objsubid, privilege) as (
    select classid, objid, objsubid, privilege from wanted
    union all
    -- granted when the service owns the database; PUBLIC usually may connect anyway
    select 'pg_database'::regclass, d.oid, 0, 'CONNECT' from pg_database d where d.datname = current_database()
)
select 'no ' || lower(w.privilege collate "C") || ' on ' || i.type || ' ' || i.identity
from wanted w, pg_identify_object(w.classid, w.objid, w.objsubid) i
where not exists (select 1 from granted g where (g.classid, g.objid, g.objsubid, g.privilege)
                                              = (w.classid, w.objid, w.objsubid, w.privilege))
union
select lower(g.privilege collate "C") || case when g.grantable then ' with grant option' else '' end
       || ' on ' || i.type || ' ' || i.identity
from granted g, pg_identify_object(g.classid, g.objid, g.objsubid) i
where g.grantable
   or not exists (select 1 from allowed a where (a.classid, a.objid, a.objsubid, a.privilege)
                                              = (g.classid, g.objid, g.objsubid, g.privilege))
order by 1
