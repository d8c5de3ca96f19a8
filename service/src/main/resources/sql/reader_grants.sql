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
        select format('revoke all on %s %s from dwh_reader%s cascade',
                      case when c.relkind = 'S' then 'sequence' else 'table' end, c.oid::regclass,
                      case when a.grantor <> c.relowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_class c, aclexplode(c.relacl) a where a.grantee = reader
        union
        -- A table's revoke takes its columns' privileges too (seen on PostgreSQL 15), but a column
        -- may have a privilege its table does not.
        select format('revoke all (%I) on table %s from dwh_reader%s cascade', t.attname, c.oid::regclass,
                      case when a.grantor <> c.relowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_attribute t join pg_class c on c.oid = t.attrelid, aclexplode(t.attacl) a where a.grantee = reader
        union
        select format('revoke all on schema %I from dwh_reader%s cascade', n.nspname,
                      case when a.grantor <> n.nspowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_namespace n, aclexplode(n.nspacl) a where a.grantee = reader
        union
        select format('revoke all on routine %s from dwh_reader%s cascade', p.oid::regprocedure,
                      case when a.grantor <> p.proowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_proc p, aclexplode(p.proacl) a where a.grantee = reader
        union
        select format('revoke all on type %s from dwh_reader%s cascade', y.oid::regtype,
                      case when a.grantor <> y.typowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_type y, aclexplode(y.typacl) a where a.grantee = reader
        union
        select format('revoke all on language %I from dwh_reader%s cascade', l.lanname,
                      case when a.grantor <> l.lanowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_language l, aclexplode(l.lanacl) a where a.grantee = reader
        union
        select format('revoke all on large object %s from dwh_reader%s cascade', m.oid,
                      case when a.grantor <> m.lomowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_largeobject_metadata m, aclexplode(m.lomacl) a where a.grantee = reader
        union
        select format('revoke all on foreign data wrapper %I from dwh_reader%s cascade', w.fdwname,
                      case when a.grantor <> w.fdwowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_foreign_data_wrapper w, aclexplode(w.fdwacl) a where a.grantee = reader
        union
        select format('revoke all on foreign server %I from dwh_reader%s cascade', s.srvname,
                      case when a.grantor <> s.srvowner then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_foreign_server s, aclexplode(s.srvacl) a where a.grantee = reader
        union
        select format('revoke all on database %I from dwh_reader%s cascade', d.datname,
                      case when a.grantor <> d.datdba then format(' granted by %s', a.grantor::regrole) else '' end)
        from pg_database d, aclexplode(d.datacl) a
        where d.datname = current_database() and a.grantee = reader
          and (a.privilege_type <> 'CONNECT' or a.is_grantable)
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
