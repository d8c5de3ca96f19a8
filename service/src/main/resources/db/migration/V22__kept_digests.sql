-- What a good refresh left in the warehouse, as digests, so that the next refresh can tell whether
-- it is still there before it keeps it. A refresh whose sources are all unchanged keeps the raw
-- rows and the product as they are; before these columns it compared only a raw table's row
-- count, so a product row, or a raw value, edited by hand survived every unchanged refresh (and a
-- raw value went into the next product built from it).
-- Safe to run again (if not exists).
alter table dwh.refresh_run_sources add column if not exists rows_digest text;
alter table dwh.refresh_runs add column if not exists product_digest text;

comment on column dwh.refresh_run_sources.rows_digest is
    'The source''s raw table as this run left it: its row count and the sum of a 64-bit hash of each row '
    '(sql/kept/raw_digest.sql). A later refresh to which the source is unchanged keeps those rows only if they '
    'still give this digest, and loads the source again otherwise. Null for runs before V22.';
comment on column dwh.refresh_runs.product_digest is
    'dwh.state_doses and dwh.state_doses_weekly as this run left them (succeeded or unchanged): row counts and '
    'sums of a 64-bit hash of each row (sql/kept/product_digest.sql). A refresh that finds every source unchanged '
    'keeps the product only if it still gives this digest, and rebuilds it from the raw tables otherwise. Null '
    'for failed runs and runs before V22.';
