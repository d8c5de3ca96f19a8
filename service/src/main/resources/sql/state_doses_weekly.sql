-- The weeks of one state (the parameter state is its name in dwh.state_doses), oldest first:
-- the doses allocated in each week, and the doses and people per dose up to and including it.
select week,
       doses_moderna,
       doses_pfizer,
       doses_total_cumulative as doses_total,
       people_per_dose
from dwh.state_doses_weekly
where state = :state
order by week
