-- The product as of a date (the parameter as_of): each row of dwh.state_doses, with the doses
-- allocated in the weeks up to and including that date, taken from the last such week of the
-- state in dwh.state_doses_weekly. Population and refreshed_at are those of dwh.state_doses. A
-- state without any week by then has 0 doses and no ratio. One statement reads both tables, so
-- they always come from the same refresh.
select s.state,
       s.state_code,
       s.population,
       coalesce(w.doses_moderna_cumulative, 0) as doses_moderna,
       coalesce(w.doses_pfizer_cumulative, 0)  as doses_pfizer,
       coalesce(w.doses_total_cumulative, 0)   as doses_total,
       w.people_per_dose,
       s.refreshed_at
from dwh.state_doses s
left join lateral (
    select doses_moderna_cumulative, doses_pfizer_cumulative, doses_total_cumulative, people_per_dose
    from dwh.state_doses_weekly w
    where w.state = s.state
      and w.week <= :as_of
    order by w.week desc
    limit 1
) w on true
