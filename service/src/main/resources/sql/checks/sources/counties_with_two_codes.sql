-- County lines whose Id and Id2 give two different county codes: in the Census's files the Id2 is
-- the Id's last five digits (0500000US04007 and 04007; every line of the real file). A line where
-- they disagree had two of its columns exchanged or damaged, and its other values cannot be
-- trusted: with its Id2 and its population exchanged, Gila, Arizona (53,889 people) loaded as
-- 4,007 people, with no other check to see it (a count with a leading zero is still a count).
--
-- Judged only on lines whose Id is a county's (0500000US and five digits) and whose Id2 is digits
-- (four or five for a county, the leading zero optional, as a spreadsheet drops it; more when a
-- population of 100,000 or more stands in it, as Pima's 1039073 did), and only in a file where at
-- least three in four of such lines agree: a file with an Id2 of its own (another numbering) is
-- not judged. Other ids (a state's total, 0400000US50, 50) are other checks'
-- (sql/checks/sources/counties_counted_twice.sql). The first such line in the file, with how many
-- there are.
--
-- Every refresh runs it, and a file's lines nearly always agree: the cheap comparison goes first,
-- over every line, and the forms and counts are read only for the lines it keeps (1 ms over the
-- real file's 3,220 lines; with the regular expressions over every line first, 7 ms).
with candidates as materialized (
    select c.line, c.county, c.state, c.id, c.id2
    from raw.county_population c
    -- (lpad cuts a longer Id2 to its first five digits: 010010 would pass for 01001.)
    where right(c.id, 5) <> lpad(c.id2, 5, '0') or length(c.id2) > 5
),
disagreeing as materialized (
    select line, county, state, id, id2, right(id, 5) as id_code
    from candidates
    where id ~ '^0500000US[0-9]{5}$' and id2 ~ '^[0-9]+$'
)
select d.line, d.county, d.state, d.id, d.id2, d.id_code, n.disagreeing as lines,
       (select kind from dwh.jurisdictions where name = d.state) as kind
from (select * from disagreeing order by line limit 1) d
-- Lateral, and tied to d's row: the file's lines are counted only when there is a line to name.
cross join lateral (
    select (select count(*) from disagreeing) as disagreeing, count(*) as coded
    from raw.county_population c
    where c.id ~ '^0500000US[0-9]{5}$' and c.id2 ~ '^[0-9]+$' and d.line is not null
) n
where n.disagreeing * 4 <= n.coded
