-- Whether the Moderna and Pfizer raw tables hold the same allocations: one URL pointing at the
-- other's file (a configuration slip, or an upstream that served one object under both keys).
-- Each row would pass every other check, and every dose would be counted twice, once per
-- manufacturer. The same rows in other bytes (CRLF, columns in another order, other quoting)
-- count as the same.
--
-- Compared over the staged rows (run_allocations: a row repeated word for word is one), whatever
-- the two files' row counts: a copy with one row repeated, or a few left out, is still a copy.
-- Rows without doses are left out of the comparison (territories' weeks of zeros are the same in
-- any two files). Answers the rows each source has and the rows the two have in common, all rows
-- and rows with doses; Checks fails the refresh when the two hold the same rows, or when more
-- than a quarter of the smaller one's rows with doses are also the other's. The real files share
-- 5 of their about 1,560 rows with doses (0.3%; 3% in the week that shares most: a state given as
-- many doses of both in a week); a copy with counts edited shares nearly all, and one spliced
-- into the other file (40% of its rows) shares 40%. Run only when same_allocations_sample.sql saw a copy in the last week both
-- sources reach.
with sources as (
    select manufacturer, jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations,
           first_dose_allocations + second_dose_allocations > 0 as dosed
    from run_allocations
),
common as (
    select m.dosed
    from sources m
    join sources p
      on p.manufacturer = 'pfizer' and m.manufacturer = 'moderna'
     and p.jurisdiction = m.jurisdiction and p.week_of_allocations = m.week_of_allocations
     and p.first_dose_allocations = m.first_dose_allocations
     and p.second_dose_allocations = m.second_dose_allocations
)
select (select count(*) from sources where manufacturer = 'moderna') as moderna,
       (select count(*) from sources where manufacturer = 'pfizer') as pfizer,
       (select count(*) from common) as common,
       (select count(*) from sources where manufacturer = 'moderna' and dosed) as moderna_dosed,
       (select count(*) from sources where manufacturer = 'pfizer' and dosed) as pfizer_dosed,
       (select count(*) from common where dosed) as common_dosed
