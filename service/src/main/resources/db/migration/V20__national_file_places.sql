-- How many of the 54 places an allocation file names (50 states, DC, New York City, Chicago and
-- Philadelphia: dwh.jurisdictions' states, district and cities) for the source checks to take it
-- for a national file, one that should name them all in every week: missing_places,
-- uncovered_weeks and places_missing_weeks judge only such files. Every week of the real files,
-- complete and cut, names all 54; the fixtures name 3 or 4 and some generated test files 30 or 50,
-- hand-written or partial files that only the warnings see. Written once here, where the three
-- checks had each written 51; a constant in SQL, which the planner inlines: it costs nothing.
-- Safe to run again (or replace).
create or replace function dwh.national_file_places() returns integer
    language sql immutable parallel safe
as $$
    select 51
$$;

comment on function dwh.national_file_places() is
    'How many of the 54 places (50 states, DC, New York City, Chicago, Philadelphia) an allocation file '
    'names for the source checks to judge it as a national file (missing places, uncovered weeks, holes in a '
    'place''s weeks): 51.';
