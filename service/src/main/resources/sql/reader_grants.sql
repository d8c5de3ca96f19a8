-- What the read-only role dwh_reader may read in this database: the product, its weeks, and the
-- log of refreshes (runs, their sources, data checks and exclusions: where every number came
-- from). Nothing else: not the raw sources, not the reference table, not the migration history;
-- and it may write nothing. Run by the service at every start, in one transaction, after the
-- migrations (warehouse/ReaderRole.java); it can be run by hand as the tables' owner too.
-- Revoking first makes the grants exactly these, whatever an earlier start or a person granted:
-- every privilege granted to the role in this database is taken back, wherever the catalog keeps
-- it (the same places as sql/reader_grants_wrong.sql reads): tables, views and sequences of any
-- schema, their columns, schemas, routines, types, languages, large objects, foreign data
-- wrappers and servers, the database (its connect is given back below) and default privileges.
-- A revoke this role may not make (a grant by another role, on PostgreSQL before 16; another
-- role's default privileges) is skipped, and the next start's check reports it again.

do $$
declare
    reader oid := (select oid from pg_roles where rolname = 'dwh_reader');
    statement text;
begin
    for statement in
        -- Each access list of this database, with the object it is on, as the revoke names it,
        -- and the object's owner: a grant by another role is revoked as that role's.
        with acl (object, owner, acl) as (
            select format('on %s %s', case when relkind = 'S' then 'sequence' else 'table' end, oid::regclass),
                   relowner, relacl
            from pg_class
            union all
            -- A table's revoke takes its columns' privileges too (seen on PostgreSQL 15), but a
            -- column may have a privilege its table does not.
            select format('(%I) on table %s', t.attname, c.oid::regclass), c.relowner, t.attacl
            from pg_attribute t join pg_class c on c.oid = t.attrelid
            union all select format('on schema %I', nspname), nspowner, nspacl from pg_namespace
            union all select format('on routine %s', oid::regprocedure), proowner, proacl from pg_proc
            union all select format('on type %s', oid::regtype), typowner, typacl from pg_type
            union all select format('on language %I', lanname), lanowner, lanacl from pg_language
            union all select format('on large object %s', oid), lomowner, lomacl from pg_largeobject_metadata
            union all select format('on foreign data wrapper %I', fdwname), fdwowner, fdwacl from pg_foreign_data_wrapper
            union all select format('on foreign server %I', srvname), srvowner, srvacl from pg_foreign_server
            union all select format('on database %I', datname), datdba, datacl from pg_database
                where datname = current_database()
        )
        select format('revoke all %s from dwh_reader%s cascade', acl.object,
                      case when a.grantor <> acl.owner then format(' granted by %s', a.grantor::regrole) else '' end)
        from acl, aclexplode(acl.acl) a
        where acl.acl is not null -- most objects have none: only the others' names are made
          and a.grantee = reader
          -- the database's connect is given back below: revoked only with a grant option
          and not (acl.object = format('on database %I', current_database())
                   and a.privilege_type = 'CONNECT' and not a.is_grantable)
        union
        select format('alter default privileges for role %s%s revoke all on %s from dwh_reader cascade',
                      d.defaclrole::regrole,
                      case when d.defaclnamespace <> 0 then format(' in schema %s', d.defaclnamespace::regnamespace) else '' end,
                      case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                                           when 'T' then 'types' when 'n' then 'schemas' end)
        from pg_default_acl d, aclexplode(d.defaclacl) a where a.grantee = reader
    loop
        begin
            execute statement;
        exception when insufficient_privilege or invalid_grantor or feature_not_supported then
            raise notice 'dwh_reader: not done (%): %', sqlerrm, statement;
        end;
    end loop;
end
$$;

do $$
begin
    execute format('grant connect on database %I to dwh_reader', current_database());
exception when insufficient_privilege then
    null; -- not the database's owner: PUBLIC may connect by default, and usually does
end
$$;

grant usage on schema dwh to dwh_reader;

grant select on dwh.state_doses,
                dwh.state_doses_weekly,
                dwh.refresh_runs,
                dwh.refresh_run_sources,
                dwh.refresh_checks,
                dwh.refresh_exclusions
to dwh_reader;
