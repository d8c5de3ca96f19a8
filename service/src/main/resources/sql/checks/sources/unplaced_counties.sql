-- Counties whose State the reference does not know as a state, DC or territory: their people
-- would count for no state, and the state they belong to would be published short of them with
-- no warning (the product joins counties to dwh.jurisdictions by exact name). Such a name is
-- nearly always a real state written another way: another case (VERMONT), a non-breaking or
-- zero-width space, a letter from another alphabet, or a city (New York City) in the State column.
-- The first such name in the file, its first line, its counties and people, and the state it
-- most likely means: the one whose name has the same letters and digits, ignoring case (so
-- 'Texas' + U+00A0 or 'VERMONT' find it, a Cyrillic 'О' does not), or the state a city folds into.
-- Puerto Rico's municipios are known (a territory) and left out of the product as before.
with unplaced as (
    select c.state,
           min(c.first_line) as first_line,
           count(*) as counties,
           sum(c.population) as population
    from run_counties c
    left join dwh.jurisdictions j
           on j.name = c.state and j.kind in ('state', 'district', 'territory', 'freely_associated_state')
    where j.name is null
    group by c.state
)
select u.state,
       u.first_line,
       u.counties,
       u.population,
       (select kind from dwh.jurisdictions where name = u.state) as kind,
       (select m.name
        from dwh.jurisdictions m
        where m.kind in ('state', 'district')
          and (lower(regexp_replace(m.name, '[^A-Za-z0-9]', '', 'g') collate "C")
                   = lower(regexp_replace(u.state, '[^A-Za-z0-9]', '', 'g') collate "C")
               or m.name = (select folds_into from dwh.jurisdictions where name = u.state))
        order by m.name
        limit 1) as meant
from unplaced u
order by u.first_line
limit 1
