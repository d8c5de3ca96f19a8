-- Lineage and data quality of each refresh run.

-- The weeks each allocation source covered, computed from its raw table during the refresh.
-- Null for the population source, which has no weeks.
alter table dwh.refresh_run_sources
    add column first_week date,
    add column last_week  date,
    add column weeks      integer check (weeks >= 0);

-- The data checks a refresh ran after building the product (sql/checks/*.sql), dbt style.
-- 'fail' fails the refresh (its product is rolled back); 'warn' is reported and kept.
create table dwh.refresh_checks (
    run_id    bigint  not null references dwh.refresh_runs (run_id),
    position  integer not null,
    name      text    not null,
    status    text    not null check (status in ('pass', 'warn', 'fail')),
    detail    text    not null,
    primary key (run_id, name)
);
