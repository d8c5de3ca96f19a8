-- The Pfizer file holding exactly the Moderna file's allocations: one URL pointing at the other's
-- file (a configuration slip, or an upstream that served one object under both keys). Each row
-- would pass every other check, and every dose would be counted twice, once per manufacturer.
-- The same rows in other bytes (CRLF, columns in another order, other quoting) count as the
-- same; a file that is only a part of the other does not. Real allocations differ between the two
-- manufacturers every week, so a true pair never matches.
--
-- The row counts are compared first; only when they are equal are the rows compared (two scans
-- of a few thousand rows). Answers one row, with that count, when the two hold the same rows.
with moderna as (
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_moderna_allocations
),
pfizer as (
    select jurisdiction, week_of_allocations, first_dose_allocations, second_dose_allocations
    from raw.cdc_pfizer_allocations
)
select (select count(*) from moderna) as rows
where (select count(*) from moderna) = (select count(*) from pfizer)
  and not exists (select * from moderna except all select * from pfizer)
