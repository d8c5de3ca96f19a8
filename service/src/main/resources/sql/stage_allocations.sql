-- The allocations of this refresh, read from the raw tables once: one row per manufacturer,
-- jurisdiction and week, with a flag where the source gives that week two different values, and
-- the jurisdiction's kind, where its doses count and its doses per manufacturer.
-- Everything after the load (the conflict check, the product, the weeks, the exclusions and the
-- data checks) reads this table instead of the view raw.allocations, which deduplicated both raw
-- tables again each time it was read: with it, the transform took 3.5 s of a 3.9 s refresh at
-- 30 times the real size (measured with bench/growth.sh).
--
-- A temporary table of the refresh transaction: no other session sees it, it is gone at commit
-- or rollback, and it writes no WAL. Repeats of a row collapse into one, as in raw.allocations
-- (first_line is the first of them): repeats as read, since the raw tables hold what was read (a
-- name without its footnote marks, the week as a date, counts as numbers), so `260,400` repeats
-- `260400`, as a line repeated word for word does; a week listed twice with different values
-- is 'conflicting', and the refresh then fails naming both lines
-- (sql/checks/sources/conflicting_allocations.sql).

-- Sorts and hashes of the transform stay in memory up to this size (the default, 4 MB, sent the
-- weekly build to disk from about 30 times the real size). Local to the refresh transaction.
set local work_mem = '64MB';

create temporary table run_allocations on commit drop as
with loaded as (
    select 'moderna' as manufacturer, jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations, line
    from raw.cdc_moderna_allocations
    union all
    select 'pfizer', jurisdiction, week_of_allocations,
           first_dose_allocations, second_dose_allocations, line
    from raw.cdc_pfizer_allocations
),
deduplicated as (
    select manufacturer,
           jurisdiction,
           week_of_allocations,
           min(first_dose_allocations)  as first_dose_allocations,
           min(second_dose_allocations) as second_dose_allocations,
           min(first_dose_allocations) <> max(first_dose_allocations)
               or min(second_dose_allocations) <> max(second_dose_allocations) as conflicting,
           min(line) as first_line
    from loaded
    group by manufacturer, jurisdiction, week_of_allocations
)
-- With what every later step needs of a row, worked out once: the jurisdiction's kind (null for
-- a name the reference does not know), where its doses count (a city's count for the state whose
-- counties hold its people), its 2020 census count (states and DC; sql/checks/sources/outlying_shares.sql)
-- and its doses per manufacturer (1st + 2nd; 0 for the other one).
select d.*,
       j.kind,
       coalesce(j.folds_into, d.jurisdiction) as counted_in,
       j.census_2020_population as population,
       case when d.manufacturer = 'moderna'
            then d.first_dose_allocations + d.second_dose_allocations else 0 end as doses_moderna,
       case when d.manufacturer = 'pfizer'
            then d.first_dose_allocations + d.second_dose_allocations else 0 end as doses_pfizer
from deduplicated d
left join dwh.jurisdictions j on j.name = d.jurisdiction;

-- Each source's weeks, with how many jurisdictions each has (and how many of them are places, and
-- how many doses, in all and of the places),
-- and each source's places (states, DC and counted cities): read by several checks (completeness,
-- allocation_coverage, plausible_weeks, same_allocations, places_missing_weeks), each of which
-- would otherwise scan run_allocations again (at 300 times the real size, a million rows a scan).
create temporary table run_allocation_weeks on commit drop as
select manufacturer, week_of_allocations as week, count(*) as jurisdictions,
       count(*) filter (where kind in ('state', 'district', 'city')) as places,
       sum(first_dose_allocations + second_dose_allocations) as doses,
       coalesce(sum(first_dose_allocations + second_dose_allocations)
                    filter (where kind in ('state', 'district', 'city')), 0) as place_doses
from run_allocations
group by manufacturer, week_of_allocations;

create temporary table run_allocation_places on commit drop as
select distinct manufacturer, jurisdiction
from run_allocations
where kind in ('state', 'district', 'city');

-- The national files: those that name 51 or more of the 54 places (dwh.national_file_places(),
-- V20), with how many they name. The checks that judge only such files (uncovered_weeks,
-- lost_weeks, places_missing_weeks, zero_weeks, state_shares, allocation_scales) read it here,
-- where each grouped the places again.
create temporary table run_national_files on commit drop as
select manufacturer, count(*) as places
from run_allocation_places
group by manufacturer
having count(*) >= dwh.national_file_places();
