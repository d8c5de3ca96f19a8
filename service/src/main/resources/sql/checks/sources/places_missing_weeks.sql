-- A state, DC or counted city with no row in some weeks of a national allocation file: its row
-- would be published short of those weeks' doses. Every week of the real files names every
-- place, so a week a place lacks is lines lost (a bad edit, a merge of exports, rows filtered
-- out), whether it falls between weeks the place has or at either end of them: Texas's last five
-- weeks left out of the real Pfizer file, or its first five, loaded with only completeness's
-- warnings, Texas short of 3.9 or 1.8 million doses.
--
-- The week of the file's last line is judged apart. A file cut after so many rows stops in the
-- middle of that week, short of the places after the cut: the lake's files are cut after 1000
-- rows, in the earliest week they hold (they run newest first; 55 of its 63 rows), and a download
-- cut at a line end stops so too (completeness, a data check, warns of it). In that week only the
-- places that come before the last line's place in the week before it, in the file, are lost
-- lines: a line deleted from the complete file's last week (which loaded before, the place short
-- of that week), or from a cut file's before the cut. Judged where that week's lines follow the
-- order of the week before (the real files changed their order once), and where it lacks at most a
-- tenth as many as it holds: cut at every line of the real files, complete and cut, this finds
-- nothing; it finds every single line deleted from their last weeks, and 94% to 98% of those
-- deleted from a week cut anywhere (not those of a week cut after fewer than 10 lines). Nor is a
-- week that names no place before or after the weeks that name places judged (below; it is no
-- week of theirs: sql/checks/sources/uncovered_weeks.sql compares the two files' weeks). Judged only in a national file, one that names 51 or more of
-- the 54 places (dwh.national_file_places(), V20; a place a file leaves out altogether is
-- sql/checks/sources/missing_places.sql's, which runs before). The first place lacking weeks, by
-- source and name: how many weeks it lacks, the first ten of them, the file's weeks, and how many
-- places lack weeks.
--
-- A place can lack only a week that names fewer places than its file does, and a clean file has
-- none: then this reads the weeks' counts alone (sql/stage_allocations.sql keeps them), not the
-- allocations, which at 300 times the real size are a million rows and took a second to group;
-- their last lines are read only for a short week.
-- Materialized: the cut weeks below are read for these rows alone (inlined, the planner read both
-- raw tables first, for every week of every refresh).
with place_weeks as (
    select manufacturer, min(week) as first_week, max(week) as last_week
    from run_allocation_weeks
    where places > 0
    group by manufacturer
),
short_weeks as materialized (
    select w.manufacturer as source, w.week
    from run_allocation_weeks w
    join run_national_files n on n.manufacturer = w.manufacturer
    join place_weeks p on p.manufacturer = w.manufacturer
    where w.places < n.places
      -- A week that names no place, before the file's first week of places or after its last, is
      -- none of theirs: only jurisdictions that count for no state (Federal Entities, a
      -- territory) have rows there, and no place is short of it. Judged, it refused a file that
      -- opened with such a week (a new week's first rows, at the top of a file that runs newest
      -- first) as every place's lines lost. Between them, it is every place's lines lost.
      and (w.places > 0 or w.week between p.first_week and p.last_week)
),
-- The last line of each file with a short week (read only then): its week is the one a cut may
-- leave short. A line that repeats an earlier one word for word counts once, where it first
-- stands (run_allocations.first_line): a cut lake file with one of its rows repeated after the
-- cut read that row's week as the last line's, and its real last week as lines lost.
last_lines as materialized (
    select f.source, l.line, l.jurisdiction, l.week,
           3 * (select max(jurisdictions) from run_allocation_weeks w where w.manufacturer = f.source) as tail
    from (select distinct source from short_weeks) f
    cross join lateral (
        select a.first_line as line, a.jurisdiction, a.week_of_allocations as week
        from run_allocations a
        where a.manufacturer = f.source
        order by a.first_line desc
        limit 1
    ) l
),
-- A file whose last line's week is short: its last lines (three weeks' worth of jurisdictions),
-- numbered back from the end by week: 1 the last line's week, 2 the week before it in the file.
tails as materialized (
    select t.source, t.line, t.jurisdiction,
           sum(t.changed) over (partition by t.source order by t.line desc) as block
    from (
        select r.*,
               (r.week is distinct from lag(r.week) over (partition by r.source order by r.line desc))::int as changed
        from last_lines c
        join short_weeks s on s.source = c.source and s.week = c.week
        cross join lateral (
            select c.source, a.first_line as line, a.jurisdiction, a.week_of_allocations as week
            from run_allocations a
            where a.manufacturer = c.source and a.first_line > c.line - c.tail
        ) r
    ) t
),
cut_week as (
    select source, jurisdiction, line from tails where block = 1
),
week_before as (
    select source, jurisdiction, min(line) as line from tails where block = 2 group by source, jurisdiction
),
-- Whether the last week's lines follow the order of the week before it (a file whose order
-- changed there cannot tell a cut from lines lost), and how many lines it has.
ordered as (
    select w.source, bool_and(x.ordered is not false) as ordered, count(*) as present
    from cut_week w
    left join (
        select c.source, c.line, b.line > lag(b.line) over (partition by c.source order by c.line) as ordered
        from cut_week c
        join week_before b on b.source = c.source and b.jurisdiction = c.jurisdiction
    ) x on x.source = w.source and x.line = w.line
    group by w.source
),
-- Jurisdictions the last week lacks that come before its last line's jurisdiction in the week
-- before: lines lost, not cut off. Judged where the last week follows that week's order and lacks
-- at most a tenth as many as it holds: a file whose order changed at the cut, or a cut after a
-- few lines of a new order, can look like this too.
before_the_cut as (
    select b.source, b.jurisdiction
    from week_before b
    join last_lines c on c.source = b.source
    join week_before j on j.source = c.source and j.jurisdiction = c.jurisdiction
    where b.line < j.line
      and not exists (select 1 from cut_week w where w.source = b.source and w.jurisdiction = b.jurisdiction)
),
lost_before_the_cut as (
    select l.source, l.jurisdiction
    from before_the_cut l
    join ordered o on o.source = l.source
    where o.ordered
      and (select count(*) from before_the_cut x where x.source = l.source) * 10 <= o.present
),
-- Each place missing from a short week of its file: every week a place lacks is one, but the last
-- line's week, where only lines lost before the cut are.
lacking as (
    select s.source, p.jurisdiction as name, s.week
    from short_weeks s
    join run_allocation_places p on p.manufacturer = s.source
    where (s.week is distinct from (select c.week from last_lines c where c.source = s.source)
           or exists (select 1 from lost_before_the_cut l
                      where l.source = s.source and l.jurisdiction = p.jurisdiction))
      and not exists (select 1 from run_allocations a
                      where a.manufacturer = s.source and a.week_of_allocations = s.week
                        and a.jurisdiction = p.jurisdiction)
),
numbered as (
    select l.*, row_number() over (partition by l.source, l.name order by l.week) as n
    from lacking l
),
lacked as (
    select source, name, count(*) as missing,
           string_agg(to_char(week, 'YYYY-MM-DD'), ', ' order by week) filter (where n <= 10) as first_ten
    from numbered
    group by source, name
)
select l.source, l.name, coalesce(j.folds_into, l.name) as state, l.missing, l.first_ten,
       w.first_week, w.last_week, w.weeks,
       count(*) over (partition by l.source) as places,
       -- The week of the file's last line, for the message: a cut file whose rows were put in
       -- another order after the cut lacks places in a first or last week that is not this one.
       (select c.week from last_lines c where c.source = l.source) as last_line_week,
       -- Rows of 0 doses in each file, for the message: a file that leaves out its rows of 0
       -- (beside one that has them) lacks the same weeks as one that lost lines with doses, and
       -- only this count tells the two apart for the reader. Read once, for the row reported.
       (select count(*) from run_allocations a
        where a.manufacturer = l.source and a.first_dose_allocations = 0
          and a.second_dose_allocations = 0) as zero_rows,
       (select count(*) from run_allocations a
        where a.manufacturer <> l.source and a.first_dose_allocations = 0
          and a.second_dose_allocations = 0) as other_zero_rows
from lacked l
join dwh.jurisdictions j on j.name = l.name
join (select manufacturer, min(week) as first_week, max(week) as last_week, count(*) as weeks
      from run_allocation_weeks
      group by manufacturer) w on w.manufacturer = l.source
order by l.source, l.name
limit 1
