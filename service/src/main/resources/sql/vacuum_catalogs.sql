-- After a refresh (refresh/ProductVacuum.java), after the product's vacuum: the system catalogs a
-- refresh leaves dead rows in. Each refresh creates and drops its temporary tables (run_allocations,
-- run_counties, ...: about 110 rows of pg_attribute, 30 of pg_depend, 23 of pg_class, 18 of pg_type
-- a full refresh, a quarter of that an unchanged one), and the product's analyze rewrites its rows of
-- pg_statistic. Autovacuum reclaims them where it runs; with autovacuum off the database grew by
-- about 23 KB a refresh for ever (21 MB after 492 refreshes, 13 MB of it these catalogs), where the
-- service's own tables kept their size. Vacuumed only where the login owns the database (or is a
-- superuser): elsewhere PostgreSQL skips each with a warning, and its owner's maintenance is theirs.
-- No analyze: the catalogs' statistics are not what a refresh changes. skip_locked: a catalog
-- another session holds a conflicting lock on is skipped, not waited for.
vacuum (skip_locked) pg_catalog.pg_attribute, pg_catalog.pg_class, pg_catalog.pg_depend, pg_catalog.pg_type,
    pg_catalog.pg_statistic
