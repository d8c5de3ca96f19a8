-- The counties of this refresh, read from raw.county_population once: one row per state and
-- county, with its population, its county code (where its lines agree on one), the first line
-- that gives it, and flags where the file gives
-- the county two different populations, or two different county codes (dwh.county_code: two
-- counties of one name, or one county under two codes; lines without a code are not judged). A line repeated collapses into one (as read: a
-- population written `4,698,619` repeats `4698619`), as a repeated allocation does (sql/stage_allocations.sql). The source checks and the product read
-- this instead of grouping the raw rows again each (sql/checks/sources/conflicting_counties.sql,
-- sql/checks/sources/implausible_state_populations.sql, sql/build_state_doses.sql).
--
-- A temporary table of the refresh transaction: no other session sees it, it is gone at commit or
-- rollback, and it writes no WAL.
create temporary table run_counties on commit drop as
select state,
       county,
       min(population_estimate_2018) as population,
       min(population_estimate_2018) <> max(population_estimate_2018) as conflicting,
       min(dwh.county_code(id, id2)) <> max(dwh.county_code(id, id2)) as two_codes,
       min(dwh.county_code(id, id2)) as code,
       min(line) as first_line
from raw.county_population
group by state, county;
