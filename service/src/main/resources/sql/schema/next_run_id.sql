-- Whether the run log's next id is beyond its runs: a sequence reset by hand (alter sequence ...
-- restart) gave the next refresh an id already taken, and it failed before it could be recorded.
-- A fact to compare with the migrations' (sql/schema/migrated.tsv).
select 'next id' as kind, 'dwh.refresh_runs' as relation, 'run_id' as name,
       case when (select case when is_called then last_value + 1 else last_value end
                  from dwh.refresh_runs_run_id_seq)
                 > coalesce((select max(run_id) from dwh.refresh_runs), 0)
            then 'ahead of the runs' else 'behind the runs' end as detail
