-- The county file's raw table written back as the lake holds the file (unquoted where it can be,
-- the lake's header), in the order of its lines: what the rehearsal of a refresh serves itself to
-- load again (refresh/Rehearsal.java).
copy (
    select id as "Id", id2 as "Id2", county as "County", state as "State",
           population_estimate_2018 as "Population Estimate 2018"
    from raw.county_population
    order by line
) to stdout (format csv, header)
