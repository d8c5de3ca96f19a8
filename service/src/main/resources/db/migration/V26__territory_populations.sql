-- Each territory's resident population in the 2020 Census (U.S. Census Bureau, April 1, 2020:
-- Puerto Rico's count, and the Island Areas' of American Samoa, Guam, the Northern Mariana Islands
-- and the U.S. Virgin Islands). A territory's doses count for no state, but the refresh's report
-- gives them among its exclusions and in its totals of doses, and a territory's counts all written
-- ten times over moved no other check (each week in line with its others, the week's and the
-- file's totals with it): sql/checks/sources/excluded_doses.sql holds its doses per resident to the
-- states'. A column of its own: census_2020_population is the states' and DC's, and many a check
-- takes "not null" there for "a state of the product".
-- Safe to run again (if not exists): a test re-runs the migrations.
alter table dwh.jurisdictions add column if not exists territory_census_2020_population bigint
    check (territory_census_2020_population > 0);

comment on column dwh.jurisdictions.territory_census_2020_population is
    'The resident population of a territory in the 2020 Census (April 1, 2020); null for states, DC, cities, '
    'the freely associated states, Federal Entities. The source check excluded_doses compares a territory''s '
    'doses per resident with the states''.';

update dwh.jurisdictions j
set territory_census_2020_population = t.population
from (values
    ('Puerto Rico', 3285874), ('Guam', 153836), ('U.S. Virgin Islands', 87146),
    ('American Samoa', 49710), ('Mariana Islands', 47329)
) as t (name, population)
where j.name = t.name;
