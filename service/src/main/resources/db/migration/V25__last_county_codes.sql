-- Each state's and DC's last odd county code under 500 in the Census's Vintage 2018 county file
-- (Alabama's Winston County, 01133: 133), which the county source check of lost lines
-- (sql/checks/sources/lost_counties.sql) compares with the last county of the state a whole
-- country's file ends in. The Census numbers a state's counties in odd steps in the order of their
-- names, so a file cut at a line end, which loads as a shorter valid file when its upstream
-- declared no length, ends short of its last state's last code: Wyoming's counties run to 56045,
-- and a file cut after its Teton County (56039) lost Uinta, Washakie and Weston (6% of the state)
-- with no other check to see it. Null for Alaska (its boroughs are numbered otherwise, and not judged),
-- the cities, territories and others. Virginia's independent cities (510 to 840) are numbered
-- apart, and not counted here.
-- Safe to run again (if not exists): a test re-runs the migrations.
alter table dwh.jurisdictions add column if not exists last_county smallint
    check (last_county between 1 and 999);

comment on column dwh.jurisdictions.last_county is
    'The last odd county number under 500 the Census Vintage 2018 gives a state or DC (Wyoming 45: county 56045); '
    'null for Alaska and the others. A whole country''s county file that ends in a state short of it is taken '
    'for cut short.';

update dwh.jurisdictions j
set last_county = c.last_county
from (values
    ('01', 133), ('04', 27), ('05', 149), ('06', 115), ('08', 125), ('09', 15), ('10', 5), ('11', 1),
    ('12', 133), ('13', 321), ('15', 9), ('16', 87), ('17', 203), ('18', 183), ('19', 197), ('20', 209),
    ('21', 239), ('22', 127), ('23', 31), ('24', 47), ('25', 27), ('26', 165), ('27', 173), ('28', 163),
    ('29', 229), ('30', 111), ('31', 185), ('32', 33), ('33', 19), ('34', 41), ('35', 61), ('36', 123),
    ('37', 199), ('38', 105), ('39', 175), ('40', 153), ('41', 71), ('42', 133), ('44', 9), ('45', 91),
    ('46', 137), ('47', 189), ('48', 507), ('49', 57), ('50', 27), ('51', 199), ('53', 77), ('54', 109),
    ('55', 141), ('56', 45)
) as c (fips, last_county)
where j.fips = c.fips and j.kind in ('state', 'district');
