-- The jurisdiction reference's rows, which only the migrations write, as facts to compare with
-- theirs (sql/schema/migrated.tsv): a city deleted or a kind edited by hand changes what every
-- refresh counts, and the source checks then blame the source files for it.
select 'reference' as kind, 'dwh.jurisdictions' as relation, name,
       concat_ws(' ', kind, state_code, 'in ' || folds_into, 'people ' || census_2020_population,
                 'fips ' || fips, 'last county ' || last_county,
                 'territory people ' || territory_census_2020_population) as detail
from dwh.jurisdictions
