-- One data check of a refresh run (sql/checks/*.sql), at its position in the order they ran.
-- Sent in one batch for all the checks of a run, as the run ends.
insert into dwh.refresh_checks (run_id, position, name, status, detail)
values (:run, :position, :name, :status, :detail)
