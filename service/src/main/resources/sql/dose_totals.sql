-- The doses this run accounts for, counted once: in the sources (this run's allocations,
-- sql/stage_allocations.sql), in the state rows it built (sql/build_state_doses.sql) and in its
-- exclusions (sql/build_refresh_exclusions.sql), with the number of state rows. Run after the
-- build; the refresh's report gives these numbers, and the reconciliation check
-- (sql/checks/reconciliation.sql) fails the refresh unless the sources' doses are the other two.
--
-- A temporary table of the refresh transaction, as the staged ones are: gone at commit or
-- rollback. The run id comes from the transaction-local setting state_doses.run_id.
create temporary table run_dose_totals on commit drop as
select (select count(*) from dwh.state_doses) as state_rows,
       (select coalesce(sum(first_dose_allocations + second_dose_allocations), 0)
        from run_allocations) as in_sources,
       (select coalesce(sum(doses_total), 0) from dwh.state_doses) as in_state_rows,
       (select coalesce(sum(doses_total), 0) from dwh.refresh_exclusions
        where run_id = current_setting('state_doses.run_id')::bigint) as excluded;
