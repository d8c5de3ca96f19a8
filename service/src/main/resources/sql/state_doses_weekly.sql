-- Every state's weeks, as the snapshot keeps them: by state (byte order, as GET /ratios lists
-- them), then week, oldest first. The doses allocated in each week, and the doses and people per
-- dose up to and including it.
select state,
       week,
       doses_moderna,
       doses_pfizer,
       doses_total_cumulative as doses_total,
       people_per_dose
from dwh.state_doses_weekly
order by state collate "C", week
