-- A county under a code the Census retired, beside the code it gave the same people instead: Shannon,
-- South Dakota (46113) beside Oglala Lakota (46102), the county renamed in 2015. No one year's file
-- has both codes, so a file that does counts those people twice. Before this check such a file
-- loaded without a word: a few thousand people, too few for the census count's tenth
-- (sql/checks/sources/states_off_their_census.sql), and two names no other check compares.
--
-- Only changes whose new codes were new: a county renamed under a new code, or split into new
-- codes, and Connecticut's counties replaced by its planning regions (2022), as the Census's list of
-- substantial changes to counties gives them. Not a county merged into one that already was
-- (Bedford city, Virginia, 51515, into Bedford County, 51019, in 2013; Clifton Forge into
-- Alleghany; South Boston into Halifax; Yellowstone National Park into Gallatin and Park): a file
-- from before the merger lists both, each with its own people, so both codes in one file are no
-- fault. The codes are dwh.county_code's, from lines whose codes can be read for sure; a line's
-- state is its code's (a code under another State has failed before:
-- counties_under_another_state.sql).
--
-- The first retired code (by the later line of the two) with the line of a code that replaced it,
-- and how many retired codes of the file are so.
-- Each change once, with every code that replaced the retired one (a split gave two).
with changes (retired, successors, year, what) as (
    values ('02231', array['02232', '02282'], 1992, 'split Skagway-Yakutat-Angoon Census Area (02231) into Skagway-Hoonah-Angoon (02232) and Yakutat (02282)'),
           ('02232', array['02105', '02230'], 2007, 'split Skagway-Hoonah-Angoon Census Area (02232) into Hoonah-Angoon (02105) and Skagway (02230)'),
           ('02201', array['02198'], 2008, 'made Prince of Wales-Outer Ketchikan Census Area (02201) Prince of Wales-Hyder (02198)'),
           ('02280', array['02195', '02275'], 2008, 'split Wrangell-Petersburg Census Area (02280) into Petersburg (02195) and Wrangell (02275)'),
           ('02261', array['02063', '02066'], 2019, 'split Valdez-Cordova Census Area (02261) into Chugach (02063) and Copper River (02066)'),
           ('02270', array['02158'], 2015, 'renamed Wade Hampton Census Area (02270) Kusilvak (02158)'),
           ('12025', array['12086'], 1997, 'renamed Dade County (12025) Miami-Dade (12086)'),
           ('29193', array['29186'], 1979, 'gave Ste. Genevieve County the code 29186 for 29193'),
           ('32025', array['32510'], 1969, 'made Ormsby County (32025) Carson City (32510)'),
           ('46113', array['46102'], 2015, 'renamed Shannon County (46113) Oglala Lakota (46102)')
    union all
    select to_char(county, 'FM00000'),
           array(select to_char(region, 'FM00000') from generate_series(9110, 9190, 10) region), 2022,
           'replaced Connecticut''s eight counties (09001 to 09015) by nine planning regions (09110 to 09190)'
    from generate_series(9001, 9015, 2) county
),
change as (
    select c.retired, s.successor, c.year, c.what
    from changes c
    cross join lateral unnest(c.successors) s (successor)
),
-- Only the lines of those codes (a handful, or none), compared as run_counties keeps them.
coded as (
    select code, first_line as line, county
    from run_counties
    where not two_codes and (code in (select retired from change) or code in (select successor from change))
),
pairs as (
    select c.retired, c.year, c.what, r.line as retired_line, r.county as retired_county,
           s.code as successor, s.line as successor_line, s.county as successor_county
    from change c
    join coded r on r.code = c.retired
    join coded s on s.code = c.successor
)
select p.retired as retired_code, p.retired_county, p.retired_line,
       p.successor as successor_code, p.successor_county, p.successor_line,
       greatest(p.retired_line, p.successor_line) as line, p.year, p.what,
       j.name as state, (select count(distinct retired) from pairs) as retired_codes
from pairs p
join dwh.jurisdictions j on j.fips = left(p.retired, 2)
order by greatest(p.retired_line, p.successor_line), p.successor_line, p.retired_line
limit 1
