-- A state, DC or counted city under a new name in an allocation source: 'Green Mountain State'
-- where Vermont's rows were. The name is unknown to dwh.jurisdictions, so its doses would count for
-- no state (reported only as an exclusion of kind unknown, with a warning) while the state's row
-- is published short of them. checks/sources/misspelt_jurisdictions.sql catches the same name
-- written another way; this catches a name like no other, by where it stands in the file.
--
-- An unknown name with doses points at a state (DC, city) that has a row in none of the unknown
-- name's weeks, or only in the first of them and in none after (the week of the change, when both
-- names have a row; and then only if the name has more than one week), when either
--   * the state has rows in the source's other weeks (renamed partway through the series), or
--   * the state has no row in the source at all, while the source names at least half of the
--     states, DC and counted cities (a national file, renamed throughout; a small file that
--     lists only some states is no evidence).
-- A row of zeros is a row: Alaska has weeks of 0 doses in the real files, and a new name in such
-- weeks is not Alaska's. (So a renamed state that keeps rows of zeros under its old name in every
-- week of the new name is not caught.)
-- A new name in every week leaves a state that has rows no other weeks, so a genuinely new
-- jurisdiction (a territory, a federal entity) beside complete states passes, with the
-- accepted_values warning. A cut-off week (the lake's 1000-row files) has states missing from
-- that week only, and no unknown name there in the real files.
-- A pair counts only when the unknown name's doses per week are within ten times the state's
-- usual (per week with doses, in the source's other weeks, or else in the other source: Alaska's
-- weeks in a lake cut may all be zeros): a new name with 20 doses does not stand in for a state's
-- 100,000 a week. A state's usual grows at most about three times over the real series.
--
-- Every such pair is answered, with how far apart its doses are; refresh/Checks.java ranks them
-- (a new name that holds the state's name or code first) and reports the first.
-- Run only when run_allocations has a name it does not know (refresh/Checks.java).
with reference as (
    select name, coalesce(folds_into, name) as state, state_code, count(*) over () as names
    from dwh.jurisdictions
    where kind in ('state', 'district', 'city')
),
names as (
    -- Each name of each source, in one pass: its weeks, the first and the last, its weeks with
    -- doses and its doses. A name is "weekly" when it has a row in every week from its first to
    -- its last (weeks are Mondays, one row per name and week here), as every name of the real
    -- files has.
    select manufacturer, jurisdiction, kind, count(*) as weeks,
           count(*) filter (where first_dose_allocations + second_dose_allocations > 0) as dosed_weeks,
           sum(first_dose_allocations + second_dose_allocations) as doses,
           min(week_of_allocations) as first_week, max(week_of_allocations) as last_week,
           count(*) = (max(week_of_allocations) - min(week_of_allocations)) / 7 + 1 as weekly
    from run_allocations
    group by manufacturer, jurisdiction, kind
),
candidates as (
    -- Each unknown name with each state, DC and city, and how the weeks' bounds settle how many
    -- weeks they share: none when their spans are apart, the overlap when both are weekly; null
    -- when only their rows can tell (a name with gaps).
    select u.manufacturer, u.jurisdiction, u.weeks, u.dosed_weeks, u.doses, u.first_week, u.last_week,
           r.name as missing, r.state, r.state_code, r.names,
           c.weeks as state_weeks, c.dosed_weeks as state_dosed_weeks, c.doses as state_doses,
           c.last_week as state_last_week,
           case when c.weeks is null or c.last_week < u.first_week or c.first_week > u.last_week then 0
                when c.weekly and u.weekly
                    then (least(c.last_week, u.last_week) - greatest(c.first_week, u.first_week)) / 7 + 1
                -- A weekly name whose span holds the other's shares all of the other's weeks.
                when c.weekly and c.first_week <= u.first_week and c.last_week >= u.last_week then u.weeks
                when u.weekly and u.first_week <= c.first_week and u.last_week >= c.last_week then c.weeks
           end as shared_by_bounds
    from names u
    cross join reference r
    left join names c on c.manufacturer = u.manufacturer and c.jurisdiction = r.name
    where u.kind is null and u.doses > 0
),
undecided as (
    select manufacturer, jurisdiction, missing from candidates where shared_by_bounds is null
),
undecided_rows as materialized (
    -- The rows of the names the bounds leave undecided, and only those.
    select a.manufacturer, a.jurisdiction, a.week_of_allocations
    from run_allocations a
    where (a.manufacturer, a.jurisdiction) in (select manufacturer, jurisdiction from undecided
                                               union
                                               select manufacturer, missing from undecided)
),
shared as materialized (
    select d.manufacturer, d.jurisdiction, d.missing, count(*) as weeks
    from undecided d
    join undecided_rows u on u.manufacturer = d.manufacturer and u.jurisdiction = d.jurisdiction
    join undecided_rows s
      on s.manufacturer = d.manufacturer and s.jurisdiction = d.missing
     and s.week_of_allocations = u.week_of_allocations
    group by d.manufacturer, d.jurisdiction, d.missing
),
pairs as (
    select c.*,
           coalesce(c.shared_by_bounds, s.weeks, 0) as shared_weeks,
           (select count(*) from names n
            where n.manufacturer = c.manufacturer and n.kind in ('state', 'district', 'city')) as named,
           c.doses::numeric / nullif(c.dosed_weeks, 0) as per_week,
           coalesce(c.state_doses::numeric / nullif(c.state_dosed_weeks, 0),
                    o.doses::numeric / nullif(o.dosed_weeks, 0)) as usual
    from candidates c
    left join shared s on s.manufacturer = c.manufacturer and s.jurisdiction = c.jurisdiction and s.missing = c.missing
    left join names o on o.manufacturer <> c.manufacturer and o.jurisdiction = c.missing
)
select manufacturer as source, jurisdiction, weeks, doses, first_week, last_week,
       missing, state, state_code, state_weeks is not null as partway, shared_weeks, named, names,
       abs(ln(per_week / usual))::float8 as distance
from pairs
where (shared_weeks = 0 or (shared_weeks = 1 and weeks > 1 and state_last_week = first_week))
  and (state_weeks is not null or 2 * named >= names)
  and (usual is null or per_week between usual / 10 and usual * 10)
