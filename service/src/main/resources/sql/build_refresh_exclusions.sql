-- This run's exclusions (dwh.refresh_exclusions): everything allocated that no state row holds:
-- territories, freely associated states, Federal Entities, and any name the reference does not
-- know. With the state rows (sql/build_state_doses.sql), this accounts for every dose in the
-- sources (sql/checks/reconciliation.sql checks it).
-- Runs inside the refresh transaction; the run id comes from the setting state_doses.run_id.
insert into dwh.refresh_exclusions (run_id, jurisdiction, kind, doses_moderna, doses_pfizer, doses_total)
select current_setting('state_doses.run_id')::bigint,
       jurisdiction,
       coalesce(kind, 'unknown'),
       sum(doses_moderna),
       sum(doses_pfizer),
       sum(doses_moderna + doses_pfizer)
from run_allocations
where kind is null or kind not in ('state', 'district', 'city')
group by jurisdiction, kind;
