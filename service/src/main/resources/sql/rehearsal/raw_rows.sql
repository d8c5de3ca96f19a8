-- How many rows each raw table holds, counted up to :most, for the rehearsal of a refresh
-- (refresh/Rehearsal.java): it needs a load in each, and is skipped above its limit. Counted so,
-- a large warehouse costs no more to ask than a small one.
select (select count(*) from (select 1 from raw.cdc_moderna_allocations limit :most) m) as moderna,
       (select count(*) from (select 1 from raw.cdc_pfizer_allocations limit :most) p) as pfizer,
       (select count(*) from (select 1 from raw.county_population limit :most) c) as population
