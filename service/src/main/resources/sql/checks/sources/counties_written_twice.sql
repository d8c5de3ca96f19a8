-- One county written two ways in the county file: the same letters and digits, ignoring case,
-- spacing, punctuation, accents, Saint written St., and a last word that only says what kind of
-- county it is (County, its Co. and Cnty, Parish, Borough, Census Area, Municipality, Municipio),
-- however it is set off ('Autauga County.', 'Autauga (County)', 'Autauga-County': each loaded
-- twice once, the kind word seen only after a space and before nothing), under one State, as 'Los
-- Angeles' and 'LOS ANGELES', 'Los Angeles' with two spaces, 'Autauga' and 'Autauga County' (the
-- lake's file may have kept those words or not, and two files merged may differ), 'Doña Ana' and
-- 'Dona Ana', or 'Doña Ana' twice, once with its ñ as one character and once as n and a
-- combining tilde (Unicode's two forms, which print alike: a file merged from a Mac export).
-- 'city' is not such a word: Baltimore and Baltimore city are two counties. A line repeated word for word counts once (run_counties), and
-- one county code under two names fails (sql/checks/sources/counties_counted_twice.sql), but a
-- file without ids has no code to tell, and the county's people were counted twice without a
-- word (Doña Ana: New Mexico 10% over). No two counties of one state in the real file share their
-- letters so (3,220 lines, 3,220 keys, with the kind words dropped too), and a county of another
-- name is another county.
--
-- Accents go with Unicode's decomposition (normalize, NFKD), which needs a UTF8 warehouse and is
-- asked only of names that are not ASCII (on all 3,220 lines it cost 6 ms); on another warehouse,
-- names are compared without it. LIKE finds the kind word, and one regular expression keeps the
-- letters and digits (translate() with the combining accents listed took 10 ms over the real
-- file). Both work on the name lowered under the "C" collation, which lowers A to Z alone: all
-- else is not a-z and goes anyway, and it took 1.1 ms against 1.8 under the database's C.UTF-8;
-- the expression turns each run of other characters into one space at once (2.7 ms against 4.8
-- one at a time), and the spaces go after the kind word.
-- Names with nothing left are not judged.
-- The first county so in the file: its first spelling's first line and the second's.
with named as (
    select state, county, first_line,
           lower(case when octet_length(county) > char_length(county)
                           and current_setting('server_encoding') = 'UTF8'
                      then normalize(county, NFKD) else county end collate "C") as name
    from run_counties
),
words as materialized (
    -- The letters and digits of the name, its other characters one space between words: a kind
    -- word is a word however it is set off ('Autauga County.', 'Autauga (County)', 'Autauga-County').
    -- Materialized, as the next step is: the tests below would each run the expression again.
    select state, county, first_line, btrim(regexp_replace(name, '[^a-z0-9]+', ' ', 'g')) as words
    from named
),
saints as materialized (
    select state, county, first_line,
           case when words like '%saint%' then regexp_replace(words, '(^| )saint( |$)', '\1st\2', 'g')
                else words end as words
    from words
),
keyed as (
    select state, county, first_line,
           replace(case when words like '% county' then left(words, -7)
                        when words like '% co' then left(words, -3)
                        when words like '% cnty' then left(words, -5)
                        when words like '% parish' then left(words, -7)
                        when words like '% borough' then left(words, -8)
                        when words like '% census area' then left(words, -12)
                        when words like '% municipality' then left(words, -13)
                        when words like '% municipio' then left(words, -10)
                        else words end,
                   ' ', '') as letters
    from saints
),
twice as (
    select state, letters, min(first_line) as first_line
    from keyed
    where letters <> ''
    group by state, letters
    having count(*) > 1
)
select t.state, a.county as first_county, a.first_line, b.county, b.first_line as line,
       (select j.name from dwh.jurisdictions j where j.name = t.state and j.kind in ('state', 'district'))
           as product_state
from twice t
join keyed a on a.state = t.state and a.letters = t.letters and a.first_line = t.first_line
cross join lateral (select county, first_line from keyed k
                    where k.state = t.state and k.letters = t.letters and k.first_line > t.first_line
                    order by k.first_line limit 1) b
order by b.first_line
limit 1
