-- A state's, DC's or counted city's second doses over a national allocation file far from its
-- first doses. Both vaccines are given in two doses, and the CDC allocated a place's second doses
-- with its first: over a whole file, in the real files, complete and cut, every state's, DC's and
-- counted city's second doses are 0.95 to 1.0 times its first (Alaska's in Pfizer's the least).
-- Under 0.8 or over 1.25 times fails, and so do second doses without any first. What loaded
-- before, with no word: the second-dose column written 0 in a file's last weeks (a partial update)
-- or throughout, every state 30 to 40 per cent short of its doses. The Pacific islands' doses are
-- all first doses in the real files; they count for no state, and are not judged.
--
-- Judged only in a national file (51 or more of the 54 places, dwh.national_file_places(), V20).
-- The place furthest off first, with how many are so.
with places as (
    select a.manufacturer as source, a.jurisdiction as name, a.counted_in as state,
           sum(a.first_dose_allocations) as first_doses, sum(a.second_dose_allocations) as second_doses
    from run_allocations a
    join run_national_files n using (manufacturer)
    where a.kind in ('state', 'district', 'city')
    group by a.manufacturer, a.jurisdiction, a.counted_in
),
off as (
    select p.*, case when p.first_doses > 0 then p.second_doses::float8 / p.first_doses end as ratio
    from places p
    where p.second_doses < 0.8 * p.first_doses or p.second_doses > 1.25 * p.first_doses
)
select source, name, state, first_doses, second_doses, round(ratio::numeric, 2) as ratio,
       count(*) over () as places
from off
-- A dose column with none at all (no second doses, or none first: no ratio to speak of) first,
-- then the furthest off either way.
order by case when ratio > 0 then greatest(ratio, 1 / ratio) end desc nulls first, source, name
limit 1
