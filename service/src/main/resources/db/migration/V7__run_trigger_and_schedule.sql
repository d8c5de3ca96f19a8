-- What started each refresh, and the service's own schedule (REFRESH_INTERVAL).

-- api: POST /refresh; cli: the refresh command; schedule: the service itself, every
-- REFRESH_INTERVAL. Runs recorded before this migration have none (null): who started them was
-- not recorded.
alter table dwh.refresh_runs
    add column trigger text check (trigger in ('api', 'cli', 'schedule'));

comment on column dwh.refresh_runs.trigger is
    'What started the run: api (POST /refresh), cli (the refresh command) or schedule (REFRESH_INTERVAL); null for runs recorded before it was.';
