-- Whether the Moderna and Pfizer raw tables hold the same allocations: one URL pointing at the
-- other's file (a configuration slip, or an upstream that served one object under both keys).
-- Each row would pass every other check, and every dose would be counted twice, once per
-- manufacturer. The same rows in other bytes (CRLF, columns in another order, other quoting)
-- count as the same; a file that is only a part of the other does not. Real allocations differ
-- between the two manufacturers every week, so a true pair never matches.
--
-- Run only when the two sources have the same number of rows (refresh/Checks.java compares the
-- counts the load reported, which costs nothing): then the rows of one all being in the other
-- means the two are the same. (A count compared in this statement's WHERE did not spare the
-- comparison: PostgreSQL 15 evaluates the EXISTS first, about 0.7 s at 300 times the real size.)
select not exists (
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_moderna_allocations
    except all
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_pfizer_allocations
) as same
