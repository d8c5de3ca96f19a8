-- Every dose in the sources is accounted for: in a state row of this run, or in one of its
-- exclusions. The doses are counted once, after the build, in run_dose_totals (sql/dose_totals.sql),
-- whose numbers the refresh also reports.
select 'reconciliation' as name,
       case when in_sources = in_state_rows + excluded then 'pass' else 'fail' end as status,
       format('%s doses in the sources %s %s in state rows + %s excluded', in_sources,
              case when in_sources = in_state_rows + excluded then '=' else '<>' end,
              in_state_rows, excluded) as detail
from run_dose_totals
