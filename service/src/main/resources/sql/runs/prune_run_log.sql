-- RUN_LOG_DAYS: deletes up to :batch runs that ended before :before, with their sources, checks
-- and exclusions, and returns their ids. The run log otherwise grows by one run a refresh without
-- end (about 1,900 a day with REFRESH_INTERVAL=45s). Never deleted, however old:
--   - a run still running (RunRecovery closes it first, as abandoned);
--   - the runs the product and the raw tables name: their rows' lineage (a foreign key refuses
--     the product's anyway; the raw tables and the weekly product have none);
--   - the newest run that ended well, by either order the service reads it in: GET /health's
--     last successful refresh (finished_at), and the validators the next refresh sends
--     (run_id, RefreshRuns#lastGood), which would otherwise be lost to an old product;
--   - a run that built a product in the second of the product's refreshed_at or later (two
--     forced refreshes back to back, a clock set back): sql/product_date_alone.sql reads them to
--     know whether the product's Last-Modified names it alone. Pruned, an instance started after
--     the prune answered 304 to a date another product had, where one started before said 200.
-- dwh.refresh_run_totals keeps counting the deleted runs (its trigger fires on insert and update
-- only), so the runs counter of GET /metrics never goes down. The children are deleted in the same
-- statement, before the foreign keys are checked at its end.
with newest_good as (
    (select run_id from dwh.refresh_runs
     where status in ('succeeded', 'unchanged')
     order by finished_at desc, run_id desc
     limit 1)
    union
    (select run_id from dwh.refresh_runs
     where status in ('succeeded', 'unchanged')
     order by run_id desc
     limit 1)
),
old as (
    select r.run_id
    from dwh.refresh_runs r
    where r.status <> 'running'
      and r.finished_at < :before
      and r.run_id not in (select run_id from newest_good)
      and (r.refreshed_at is null or r.refreshed_at < coalesce(
          (select date_trunc('second', p.refreshed_at) from dwh.refresh_runs p
           where p.run_id = (select run_id from dwh.state_doses limit 1)), 'infinity'))
      and not exists (select 1 from dwh.state_doses p where p.run_id = r.run_id)
      and not exists (select 1 from dwh.state_doses_weekly w where w.run_id = r.run_id)
      and not exists (select 1 from raw.cdc_moderna_allocations m where m.run_id = r.run_id)
      and not exists (select 1 from raw.cdc_pfizer_allocations f where f.run_id = r.run_id)
      and not exists (select 1 from raw.county_population c where c.run_id = r.run_id)
    order by r.run_id
    limit :batch
),
exclusions as (
    delete from dwh.refresh_exclusions x using old where x.run_id = old.run_id
),
checks as (
    delete from dwh.refresh_checks c using old where c.run_id = old.run_id
),
sources as (
    delete from dwh.refresh_run_sources s using old where s.run_id = old.run_id
)
delete from dwh.refresh_runs r
using old
where r.run_id = old.run_id
returning r.run_id
