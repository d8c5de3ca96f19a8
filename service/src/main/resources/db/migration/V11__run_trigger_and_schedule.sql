-- Numbered after V8, which was released before this one was written: a warehouse at V8 migrates on.
-- What started each refresh, and the service's own schedule (REFRESH_INTERVAL).

-- api: POST /refresh; cli: the refresh command; schedule: the service itself, every
-- REFRESH_INTERVAL. Runs recorded before this migration have none (null): who started them was
-- not recorded.
alter table dwh.refresh_runs
    add column trigger text check (trigger in ('api', 'cli', 'schedule'));

comment on column dwh.refresh_runs.trigger is
    'What started the run: api (POST /refresh), cli (the refresh command) or schedule (REFRESH_INTERVAL); null for runs recorded before it was.';

-- One row: the last scheduled refresh an instance claimed. Every instance with a
-- REFRESH_INTERVAL wakes at the same instants (multiples of the interval since the epoch), and
-- only the one whose update moves last_tick forward runs that refresh, so several instances on
-- one warehouse run one refresh per tick between them.
create table dwh.refresh_schedule (
    singleton  boolean     primary key default true check (singleton),
    last_tick  timestamptz not null,
    claimed_by text        not null,
    claimed_at timestamptz not null
);

comment on table dwh.refresh_schedule is
    'The last scheduled refresh claimed by an instance (one row): how instances sharing the warehouse run each scheduled refresh once.';
comment on column dwh.refresh_schedule.last_tick is
    'The instant (a multiple of REFRESH_INTERVAL since the epoch) of the last scheduled refresh claimed.';
comment on column dwh.refresh_schedule.claimed_by is
    'Which instance claimed it: host name and process id.';
comment on column dwh.refresh_schedule.claimed_at is
    'When it was claimed.';
