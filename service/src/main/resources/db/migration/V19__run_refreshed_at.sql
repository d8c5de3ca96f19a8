-- The refreshed_at of the product each run built, kept in the run log. An HTTP date counts whole
-- seconds, so two products built within one second get one Last-Modified, and a client holding the
-- first would be told by If-Modified-Since that it has the second. When an instance loads the
-- product, it asks here whether any other product has a refreshed_at at or after the start of
-- that product's second (sql/product_date_alone.sql); if one has, its Last-Modified cannot tell
-- the two apart and If-Modified-Since alone never earns a 304 for it. The product's own table
-- cannot say it: a refresh replaces every row.
-- Safe to run again (if not exists, and the fill skips what is filled): a test re-runs the
-- migrations after V17.
alter table dwh.refresh_runs add column if not exists refreshed_at timestamptz;

-- The product in the warehouse now keeps its refreshed_at; products replaced before this
-- migration are gone with theirs, and their runs keep null (they are older than it).
update dwh.refresh_runs r
set refreshed_at = p.refreshed_at
from (select run_id, max(refreshed_at) as refreshed_at from dwh.state_doses group by run_id) p
where r.run_id = p.run_id and r.refreshed_at is null;

-- The question above is one lookup at any length of the log.
create index if not exists refresh_runs_refreshed_at on dwh.refresh_runs (refreshed_at)
    where refreshed_at is not null;

comment on column dwh.refresh_runs.refreshed_at is
    'The refreshed_at of the product it built (dwh.state_doses.refreshed_at) when it succeeded; null when '
    'it built none (failed, unchanged, running), and for products replaced before this column existed.';
comment on index dwh.refresh_runs_refreshed_at is
    'The runs that built a product, by its refreshed_at: whether another product was built in the same '
    'second as the one served (its Last-Modified) is one lookup here.';
