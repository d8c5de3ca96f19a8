-- What the read-only role dwh_reader may read in this database: the product, its weeks, and the
-- log of refreshes (runs, their sources, data checks and exclusions: where every number came
-- from). Nothing else: not the raw sources, not the reference table, not the migration history;
-- and it may write nothing. Run by the service at every start, in one transaction, after the
-- migrations (warehouse/ReaderRole.java); it can be run by hand as the tables' owner too.
-- Revoking first makes the grants exactly these, whatever an earlier start or a person granted.

revoke all on all tables in schema dwh from dwh_reader;
revoke all on all tables in schema raw from dwh_reader;
revoke all on schema dwh, raw from dwh_reader;

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
