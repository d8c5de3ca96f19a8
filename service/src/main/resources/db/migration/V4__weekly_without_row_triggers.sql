-- dwh.state_doses_weekly is derived, in the refresh transaction, from the rows of
-- dwh.state_doses just built (their state and run, times every week of the sources), and that
-- table keeps its foreign keys to dwh.jurisdictions and dwh.refresh_runs. The weekly table's own
-- two foreign keys checked the same facts again, one trigger call per row each: half of the
-- weekly build at the real size (20 of 42 ms), and a cost that grows with the weeks (43,000
-- rows at 30 times the real size). The refresh's
-- check that the weeks add up to dwh.state_doses (sql/build_state_doses.sql) still fails a
-- refresh whose weeks disagree with the product.
alter table dwh.state_doses_weekly
    drop constraint state_doses_weekly_state_fkey,
    drop constraint state_doses_weekly_run_id_fkey;
