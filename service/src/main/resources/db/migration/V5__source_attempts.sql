-- How many times a refresh asked for each source: more than once after a transient fault of the
-- upstream (a 5xx, a 429, a refused or reset connection), which the refresh tries again.
alter table dwh.refresh_run_sources
    add column attempts integer not null default 1 check (attempts >= 1);

comment on column dwh.refresh_run_sources.attempts is
    'How many times the refresh fetched the source: 1, or more after transient faults of the upstream.';
