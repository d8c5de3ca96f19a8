-- One row that the refresh running on this warehouse holds locked for its whole transaction
-- (refresh/RefreshService.java): one refresh at a time, across every instance. It was an advisory
-- lock alone, but any login of the database may take any advisory lock, the read-only dwh_reader
-- too (PostgreSQL has no privilege for them), and one session holding the refresh's key made every
-- refresh answer 409 for as long as it liked. Locking this row takes the UPDATE privilege on the
-- table, which only its owner has. The advisory lock stays beside it, taken when it can be, as the
-- sign that a refresh is alive: runs left 'running' are closed as abandoned only while nobody
-- holds it (sql/runs/close_abandoned_runs.sql).
create table dwh.refresh_lock (
    only_row boolean primary key default true check (only_row)
);
insert into dwh.refresh_lock default values;
revoke all on dwh.refresh_lock from public;

comment on table dwh.refresh_lock is
    'One row, held locked (FOR UPDATE) by the refresh that runs, for its whole transaction: one refresh at a time '
    'on this warehouse. Nothing to read.';
comment on column dwh.refresh_lock.only_row is 'Always true: the table holds one row.';
