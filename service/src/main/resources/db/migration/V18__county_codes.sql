-- Each state's, DC's and territory's two-digit FIPS code (the Census's state code, which begins
-- every county code of it: Vermont 50, Addison County 50001), and one reading of a county line's
-- code, shared by the source checks. A county file valid line by line can still write a state's
-- counties under another state's name: two states' names exchanged, or one county moved. When the
-- two states are of a size, neither the census comparison nor any count sees it; the codes do.
-- Safe to run again (if not exists, or replace): a test re-runs the migrations after V17.
alter table dwh.jurisdictions add column if not exists fips char(2) unique
    check (fips ~ '^[0-9]{2}$');

comment on column dwh.jurisdictions.fips is
    'The two-digit FIPS state code of a state, DC or territory (Vermont 50, Puerto Rico 72), with which '
    'every county code of it begins; null for cities, freely associated states and the federal entities. '
    'The source check of the county file compares each county''s code with its State''s.';

update dwh.jurisdictions j
set fips = c.fips
from (values
    ('Alabama', '01'), ('Alaska', '02'), ('Arizona', '04'), ('Arkansas', '05'), ('California', '06'),
    ('Colorado', '08'), ('Connecticut', '09'), ('Delaware', '10'), ('District of Columbia', '11'),
    ('Florida', '12'), ('Georgia', '13'), ('Hawaii', '15'), ('Idaho', '16'), ('Illinois', '17'),
    ('Indiana', '18'), ('Iowa', '19'), ('Kansas', '20'), ('Kentucky', '21'), ('Louisiana', '22'),
    ('Maine', '23'), ('Maryland', '24'), ('Massachusetts', '25'), ('Michigan', '26'),
    ('Minnesota', '27'), ('Mississippi', '28'), ('Missouri', '29'), ('Montana', '30'),
    ('Nebraska', '31'), ('Nevada', '32'), ('New Hampshire', '33'), ('New Jersey', '34'),
    ('New Mexico', '35'), ('New York', '36'), ('North Carolina', '37'), ('North Dakota', '38'),
    ('Ohio', '39'), ('Oklahoma', '40'), ('Oregon', '41'), ('Pennsylvania', '42'),
    ('Rhode Island', '44'), ('South Carolina', '45'), ('South Dakota', '46'), ('Tennessee', '47'),
    ('Texas', '48'), ('Utah', '49'), ('Vermont', '50'), ('Virginia', '51'), ('Washington', '53'),
    ('West Virginia', '54'), ('Wisconsin', '55'), ('Wyoming', '56'),
    ('American Samoa', '60'), ('Guam', '66'), ('Mariana Islands', '69'), ('Puerto Rico', '72'),
    ('U.S. Virgin Islands', '78')
) as c (name, fips)
where j.name = c.name;

-- The county code of a county line, read only where it can be read for sure: the Id's
-- (0500000US + five digits), its Id2 the same code or absent; or, without an Id, the Id2's (four
-- or five digits, the leading zero optional, as the lake's original may write it), padded to
-- five. Null for anything else: an Id and Id2 that disagree, ids in another form, a summary row.
-- Plain string functions in one expression, so that the planner inlines it: it runs for every
-- county line of a refresh, and regular expressions there once cost 20 ms of a 140 ms refresh.
create or replace function dwh.county_code(id text, id2 text) returns text
    language sql immutable parallel safe
as $$
    select case
        when id = '0500000US' || id2 and length(id2) = 5 and translate(id2, '0123456789', '') = ''
            then id2
        when left(id, 9) = '0500000US' and length(id) = 14 and translate(right(id, 5), '0123456789', '') = ''
             and (coalesce(id2, '') = '' or length(id2) between 4 and 5 and lpad(id2, 5, '0') = right(id, 5))
            then right(id, 5)
        when coalesce(id, '') = '' and length(id2) between 4 and 5
             and translate(id2, '0123456789', '') = '' and ltrim(id2, '0') <> ''
            then lpad(id2, 5, '0')
    end
$$;

comment on function dwh.county_code(text, text) is
    'The five-digit county code of a line of the county file, from its Id (0500000US50001) or, without '
    'one, its Id2 (50001, or 1001 for 01001); null where it cannot be read for sure (an Id and Id2 that '
    'disagree, ids in another form, a summary row).';
