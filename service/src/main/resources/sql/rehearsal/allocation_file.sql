-- An allocation source's raw table written back as the CDC wrote the file (quoted values, weeks
-- with a time, the API's header), in the order of its lines: what the rehearsal of a refresh
-- serves itself to load again (refresh/Rehearsal.java). {table} is the raw table.
copy (
    select jurisdiction,
           to_char(week_of_allocations, 'YYYY-MM-DD') || 'T00:00:00.000' as week_of_allocations,
           first_dose_allocations as "_1st_dose_allocations",
           second_dose_allocations as "_2nd_dose_allocations"
    from {table}
    order by line
) to stdout (format csv, header, force_quote *)
