-- Refreshes that find every source unchanged (their upstreams answer 304 to a conditional
-- request, or their bytes hash as the last good refresh's did) build nothing: the run is
-- recorded as 'unchanged', and the product and its refreshed_at stay as they were.
alter table dwh.refresh_runs drop constraint refresh_runs_status_check;
alter table dwh.refresh_runs add constraint refresh_runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'unchanged'));

-- The build of the service that ran the refresh: a later refresh by another build rebuilds even
-- from unchanged sources, since its rules may build another product from them.
alter table dwh.refresh_runs add column build text;

-- What each source's upstream sent to validate it (sent back by the next refresh as
-- If-None-Match and If-Modified-Since), and whether it was unchanged since the last good refresh.
alter table dwh.refresh_run_sources
    add column etag          text,
    add column last_modified text,
    add column unchanged     boolean not null default false;

comment on column dwh.refresh_runs.build is
    'The version of the service that ran it; a refresh of another build rebuilds from unchanged sources.';
comment on column dwh.refresh_run_sources.etag is
    'The ETag the source''s upstream sent with it (null: none, or a file), sent back as If-None-Match.';
comment on column dwh.refresh_run_sources.last_modified is
    'The Last-Modified the source''s upstream sent with it (null: none), sent back as If-Modified-Since.';
comment on column dwh.refresh_run_sources.unchanged is
    'True when the source was as the last good refresh saw it: its upstream answered 304, or its bytes hashed the same.';
