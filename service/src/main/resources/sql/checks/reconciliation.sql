-- Every dose in the sources (this run's allocations, sql/stage_allocations.sql) is accounted
-- for: in a state row of this run, or in one of its exclusions. The run id is the transaction-local setting state_doses.run_id.
with totals as (
    select (select coalesce(sum(first_dose_allocations + second_dose_allocations), 0)
            from run_allocations) as in_sources,
           (select coalesce(sum(doses_total), 0) from dwh.state_doses) as in_state_rows,
           (select coalesce(sum(doses_total), 0) from dwh.refresh_exclusions
            where run_id = current_setting('state_doses.run_id')::bigint) as excluded
)
select 'reconciliation' as name,
       case when in_sources = in_state_rows + excluded then 'pass' else 'fail' end as status,
       format('%s doses in the sources %s %s in state rows + %s excluded', in_sources,
              case when in_sources = in_state_rows + excluded then '=' else '<>' end,
              in_state_rows, excluded) as detail
from totals
