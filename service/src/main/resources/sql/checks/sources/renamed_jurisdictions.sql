-- A state, DC or counted city under a new name in an allocation source: 'Green Mountain State'
-- where Vermont's rows were. The name is unknown to dwh.jurisdictions, so its doses would count for
-- no state (reported only as an exclusion of kind unknown, with a warning) while the state's row
-- is published short of them. checks/sources/misspelt_jurisdictions.sql catches the same name
-- written another way; this catches a name like no other, by where it stands in the file.
--
-- An unknown name with doses points at a state (DC, city) that has no row of the same source in
-- any of the unknown name's weeks, when either
--   * the state has rows in the source's other weeks (renamed partway through the series), or
--   * the state has no row in the source at all, while the source names at least half of the
--     states, DC and counted cities (a national file, renamed throughout; a small file that
--     lists only some states is no evidence).
-- A new name in every week leaves a state that has rows no other weeks, so a genuinely new
-- jurisdiction (a territory, a federal entity) beside complete states passes, with the
-- accepted_values warning. A cut-off last week (the lake's 1000-row files) has
-- states missing from that week only, and no unknown name there in the real files.
-- A pair counts only when the unknown name's doses per week are within ten times the state's
-- usual (in the source's other weeks, or else in the other source): a new name with 20 doses does
-- not stand in for a state's 100,000 a week. The state's usual grows at most about three times
-- over the real series.
--
-- Several names renamed at once (the CDC's one change of names was a batch of footnotes) give
-- several pairs. The one reported is the closest in doses per week (then the earliest week), and
-- the other states that could be that name are listed with it.
-- Run only when run_allocations has a name it does not know (refresh/Checks.java).
with reference as (
    select name, coalesce(folds_into, name) as state, count(*) over () as names
    from dwh.jurisdictions
    where kind in ('state', 'district', 'city')
),
names as (
    -- Each name of each source, in one pass: its weeks, the first and the last, and its doses.
    -- A name is "weekly" when it has a row in every week from its first to its last (weeks are
    -- Mondays, one row per name and week here), as every name of the real files is.
    select manufacturer, jurisdiction, kind, count(*) as weeks,
           sum(first_dose_allocations + second_dose_allocations) as doses,
           min(week_of_allocations) as first_week, max(week_of_allocations) as last_week,
           count(*) = (max(week_of_allocations) - min(week_of_allocations)) / 7 + 1 as weekly
    from run_allocations
    group by manufacturer, jurisdiction, kind
),
beside as (
    -- Only for a pair the weeks' bounds cannot decide (a name with gaps in its weeks): whether
    -- the state has a row in some week of the unknown name. Not run otherwise: at 300 times the
    -- real size it sorts or hashes a million rows for seconds.
    select distinct u.manufacturer, u.jurisdiction as unknown, a.jurisdiction as counted
    from run_allocations u
    join run_allocations a
      on a.manufacturer = u.manufacturer and a.week_of_allocations = u.week_of_allocations
    where u.kind is null and a.kind in ('state', 'district', 'city')
),
pairs as (
    select u.manufacturer, u.jurisdiction, u.weeks, u.doses, u.first_week, u.last_week,
           r.name as missing, r.state, r.names,
           c.weeks is not null as partway,
           (select count(*) from names n
            where n.manufacturer = u.manufacturer and n.kind in ('state', 'district', 'city')) as named,
           u.doses::numeric / u.weeks as per_week,
           coalesce(c.doses::numeric / c.weeks, o.doses::numeric / o.weeks) as usual
    from names u
    cross join reference r
    left join names c on c.manufacturer = u.manufacturer and c.jurisdiction = r.name
    left join names o on o.manufacturer <> u.manufacturer and o.jurisdiction = r.name
    where u.kind is null and u.doses > 0
      -- The state has no row in any week of the unknown name:
      and case when c.weeks is null then true -- none in the source at all
               when c.last_week < u.first_week or c.first_week > u.last_week then true -- weeks apart
               when c.weekly and u.weekly then false -- both in every week where their weeks overlap
               else not exists (select 1 from beside b
                                where b.manufacturer = u.manufacturer and b.unknown = u.jurisdiction
                                  and b.counted = r.name) end
),
plausible as (
    select *,
           case when usual > 0 then abs(ln(per_week / usual)) end as distance
    from pairs
    where (partway or 2 * named >= names)
      and (usual is null or per_week between usual / 10 and usual * 10)
),
best as (
    select p.*,
           string_agg(p.missing, ', ') over (partition by p.manufacturer, p.jurisdiction order by p.missing
                                             rows between unbounded preceding and unbounded following) as all_missing
    from plausible p
    order by p.distance nulls last, p.first_week, p.manufacturer, p.jurisdiction, p.missing
    limit 1
)
-- The unknown name's first line, read from the raw table for the one name reported.
select b.manufacturer as source, b.jurisdiction, b.weeks, b.doses, b.first_week, b.last_week,
       b.missing, b.state, b.partway, b.named, b.names, b.all_missing,
       case b.manufacturer
           when 'moderna' then (select min(line) from raw.cdc_moderna_allocations m where m.jurisdiction = b.jurisdiction)
           else (select min(line) from raw.cdc_pfizer_allocations p where p.jurisdiction = b.jurisdiction)
       end as first_line
from best b
