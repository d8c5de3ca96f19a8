-- Each state's and DC's resident population in the 2020 Census (U.S. Census Bureau, April 1,
-- 2020: 331,449,281 in all): the yardstick sql/checks/plausible_population.sql holds the county
-- file's sums to. A county file can be valid line by line and still wrong as a whole: a state's
-- total appended as a county, a state's counties written under another state, half of them left
-- out, or every count in thousands. The 2018 estimates the real file holds are within 5% of these
-- (0.95 to 1.02 times), so a state far off (1.25 times) is worth a word.
alter table dwh.jurisdictions add column census_2020_population bigint
    check (census_2020_population > 0);

comment on column dwh.jurisdictions.census_2020_population is
    'The resident population of a state or DC in the 2020 Census (April 1, 2020); null for cities, '
    'territories and the rest. The data check plausible_population compares each state''s population '
    'in dwh.state_doses with it.';

update dwh.jurisdictions j
set census_2020_population = c.population
from (values
    ('Alabama', 5024279), ('Alaska', 733391), ('Arizona', 7151502), ('Arkansas', 3011524),
    ('California', 39538223), ('Colorado', 5773714), ('Connecticut', 3605944),
    ('Delaware', 989948), ('District of Columbia', 689545), ('Florida', 21538187),
    ('Georgia', 10711908), ('Hawaii', 1455271), ('Idaho', 1839106), ('Illinois', 12812508),
    ('Indiana', 6785528), ('Iowa', 3190369), ('Kansas', 2937880), ('Kentucky', 4505836),
    ('Louisiana', 4657757), ('Maine', 1362359), ('Maryland', 6177224), ('Massachusetts', 7029917),
    ('Michigan', 10077331), ('Minnesota', 5706494), ('Mississippi', 2961279),
    ('Missouri', 6154913), ('Montana', 1084225), ('Nebraska', 1961504), ('Nevada', 3104614),
    ('New Hampshire', 1377529), ('New Jersey', 9288994), ('New Mexico', 2117522),
    ('New York', 20201249), ('North Carolina', 10439388), ('North Dakota', 779094),
    ('Ohio', 11799448), ('Oklahoma', 3959353), ('Oregon', 4237256), ('Pennsylvania', 13002700),
    ('Rhode Island', 1097379), ('South Carolina', 5118425), ('South Dakota', 886667),
    ('Tennessee', 6910840), ('Texas', 29145505), ('Utah', 3271616), ('Vermont', 643077),
    ('Virginia', 8631393), ('Washington', 7705281), ('West Virginia', 1793716),
    ('Wisconsin', 5893718), ('Wyoming', 576851)
) as c (name, population)
where j.name = c.name;
