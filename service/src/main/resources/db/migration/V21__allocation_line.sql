-- The first line of an allocation source that gives a place's doses of a week: what a source
-- check names when it finds a week's count at fault (outlying_allocations, outlying_shares,
-- zero_weeks each wrote it out). Null when no line does. Reads the raw tables, inside the
-- refresh's transaction: called for the one row a failing check reports, never for every row.
-- Safe to run again (or replace).
create or replace function dwh.allocation_line(source text, place text, week date) returns bigint
    language sql stable
as $$
    select case source
        when 'moderna' then (select min(line) from raw.cdc_moderna_allocations
                             where jurisdiction = place and week_of_allocations = week)
        when 'pfizer' then (select min(line) from raw.cdc_pfizer_allocations
                            where jurisdiction = place and week_of_allocations = week)
    end
$$;

comment on function dwh.allocation_line(text, text, date) is
    'The first line of the allocation source (moderna or pfizer) that gives a place''s doses of a week, as the '
    'raw tables hold it; null when none does. The source checks name it for a count at fault.';
