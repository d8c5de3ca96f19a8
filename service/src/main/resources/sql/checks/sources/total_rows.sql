-- Allocation rows that total the file rather than allocate: a name the reference does not know
-- ('Total', 'United States', 'US', 'National', 'All jurisdictions', ...), or any unknown name whose
-- counts in a week are those of every other row of that week together. Appended to a file by
-- hand or by a spreadsheet, such a row passed as a jurisdiction of kind unknown, with only
-- accepted_values' warning: the state rows were right, but the exclusions and the doses in the
-- sources counted every dose of its weeks twice (a 'Total' row a week over the real Moderna file
-- put 182,879,260 doses among the exclusions and raised the doses in the sources by 46%).
-- The county file's totals are sql/checks/sources/counties_counted_twice.sql's.
-- The first such name, by source and line: its weeks and doses, whether its name says it is a
-- total, and the first week it holds the others' sum. Run only when run_allocations has a name
-- the reference does not know (refresh/Checks.java).
with weeks as (
    select manufacturer, week_of_allocations as week, count(*) as rows,
           sum(first_dose_allocations) as first, sum(second_dose_allocations) as second
    from run_allocations
    group by manufacturer, week_of_allocations
),
unknown as (
    select a.manufacturer, a.jurisdiction, a.week_of_allocations as week, a.first_line,
           a.first_dose_allocations + a.second_dose_allocations as doses,
           -- The sum of the week's other rows (three or more, doses in them): twice itself in the week's total.
           w.rows >= 4 and a.first_dose_allocations + a.second_dose_allocations > 0
               and a.first_dose_allocations * 2 = w.first and a.second_dose_allocations * 2 = w.second as sums_others,
           ' ' || trim(regexp_replace(lower(a.jurisdiction collate "C"), '[^a-z]+', ' ', 'g')) || ' '
               ~ '^ ((grand )?totals?|sum|all( (jurisdictions|states|locations))?|(the )?united states( of america)?( total)?'
                 '|(us|u s|usa|u s a)( total)?|nation(al|wide)?( total)?) $' as named
    from run_allocations a
    join weeks w on w.manufacturer = a.manufacturer and w.week = a.week_of_allocations
    where a.kind is null
)
select manufacturer as source, jurisdiction, min(first_line) as first_line, count(*) as weeks, sum(doses) as doses,
       bool_or(named) as named, min(week) filter (where sums_others) as summed_week
from unknown
group by manufacturer, jurisdiction
having bool_or(named) or bool_or(sums_others)
order by manufacturer, first_line
limit 1
