-- The two allocation files exchanged (MODERNA_URL serving Pfizer's file and PFIZER_URL Moderna's),
-- told by the packs the doses were shipped in, which leave their mark on every count. Pfizer's
-- vaccine came in vials of 6 doses (from January 2021; of 5 before, in trays of 195 vials, 975
-- doses): every count above 0 of the complete Pfizer file, and of the lake's 1,000-row cut, is a
-- multiple of 6 or of 975, in every week. Moderna's counts are all multiples of 20, and only
-- those that are also multiples of 3 are "whole Pfizer packs": 33% of the complete Moderna file,
-- 32% of the cut, 28% to 46% in any one week. (Whole trays of 1,170 do not do: from the week of
-- 2021-05-31 Pfizer's counts are no longer whole trays, only whole vials.)
--
-- A Moderna file whose counts are nearly all whole Pfizer packs (over nine in ten) beside a Pfizer
-- file whose counts mostly are not (under six in ten) is the pair exchanged: every state's doses
-- would be published under the other manufacturer while every total stays right.
-- checks/sources/allocations_before_first_week.sql sees that only in files that reach back to
-- December 2020; this sees it in files cut to their last weeks too, as the lake's are, down to a
-- single week. Judged from 100 counts above 0 in each file: a hand-written file has a few, of any
-- value. No row is at fault more than another, so none is named: the counts of each file, and
-- how many are whole packs.
with counts as (
    select manufacturer, count(*) as counts,
           count(*) filter (where doses % 6 = 0 or doses % 975 = 0) as packs
    from run_allocations
    cross join lateral (values (first_dose_allocations), (second_dose_allocations)) as v (doses)
    where doses > 0
    group by manufacturer
)
select m.counts as moderna_counts, m.packs as moderna_packs, p.counts as pfizer_counts, p.packs as pfizer_packs
from counts m
join counts p on p.manufacturer = 'pfizer'
where m.manufacturer = 'moderna'
  and m.counts >= 100 and p.counts >= 100
  and m.packs * 10 > m.counts * 9
  and p.packs * 10 < p.counts * 6
