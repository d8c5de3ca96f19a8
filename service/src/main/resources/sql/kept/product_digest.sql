-- The product's rows as a digest: for dwh.state_doses and dwh.state_doses_weekly, how many rows,
-- and the sum of a 64-bit hash of each row's text, every column (refreshed_at and run_id too).
-- Recorded by every good refresh (dwh.refresh_runs.product_digest); a refresh that finds every
-- source unchanged compares the product with it before it keeps it. A column added by hand
-- to a product table changes the text: such a refresh then rebuilds the product once, which costs a
-- full refresh and loses nothing. The sessions' TimeZone is UTC (warehouse/Warehouse.SESSION_SETUP),
-- so the text of refreshed_at does not change with the zone of the JVM that reads it.
select (select count(*) || ':' || coalesce(sum(hashtextextended(s::text, 0)), 0) from dwh.state_doses s)
       || ' ' ||
       (select count(*) || ':' || coalesce(sum(hashtextextended(w::text, 0)), 0) from dwh.state_doses_weekly w)
