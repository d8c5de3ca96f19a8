-- Whether the Moderna and Pfizer raw tables hold the same allocations: one URL pointing at the
-- other's file (a configuration slip, or an upstream that served one object under both keys).
-- Each row would pass every other check, and every dose would be counted twice, once per
-- manufacturer. The same rows in other bytes (CRLF, columns in another order, other quoting)
-- count as the same; a file that is only a part of the other does not.
--
-- Run only when the two sources have the same number of rows (refresh/Checks.java compares the
-- counts the load reported, which costs nothing), as a file served for both is. Answers how many
-- rows the two have in common: Checks fails the refresh when that is more than half of them. Real
-- files share about 9% (rows of zeros for a territory, a state given the same doses of both in a
-- week), and a copy with a few counts edited shares nearly all, as one URL pointing at the other's
-- file, edited, would.
select count(*) as common
from (
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_moderna_allocations
    intersect all
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_pfizer_allocations
) as both_sources
