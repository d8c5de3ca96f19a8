-- The product week by week: for every state (50 + DC) and every allocation week in the sources,
-- the doses allocated that week and the doses allocated up to and including it. It answers
-- "as of a week" (GET /ratios?as_of=, GET /ratios/{state}/weekly) and can be read with psql.
-- sql/build_state_doses.sql rebuilds it in every refresh, in the same transaction as
-- dwh.state_doses; its last week per state always equals dwh.state_doses (the refresh checks).

create table dwh.state_doses_weekly (
    state                     text        not null references dwh.jurisdictions (name),
    state_code                char(2)     not null,
    week                      date        not null,
    doses_moderna             bigint      not null,
    doses_pfizer              bigint      not null,
    doses_moderna_cumulative  bigint      not null,
    doses_pfizer_cumulative   bigint      not null,
    doses_total_cumulative    bigint      not null,
    people_per_dose           numeric(14, 4),
    refreshed_at              timestamptz not null,
    run_id                    bigint      not null references dwh.refresh_runs (run_id),
    primary key (state, week)
);

comment on table dwh.state_doses_weekly is
    'dwh.state_doses week by week: one row per state (50 + DC) and allocation week of the sources '
    '(every week for every state; a week without allocations has 0). Doses of New York City, '
    'Chicago and Philadelphia are folded into NY, IL and PA.';
comment on column dwh.state_doses_weekly.week is 'The week_of_allocations of the sources (a Monday).';
comment on column dwh.state_doses_weekly.doses_moderna is 'Moderna doses (1st + 2nd) allocated in this week.';
comment on column dwh.state_doses_weekly.doses_pfizer is 'Pfizer doses (1st + 2nd) allocated in this week.';
comment on column dwh.state_doses_weekly.doses_moderna_cumulative is 'Moderna doses allocated in all weeks up to and including this one.';
comment on column dwh.state_doses_weekly.doses_pfizer_cumulative is 'Pfizer doses allocated in all weeks up to and including this one.';
comment on column dwh.state_doses_weekly.doses_total_cumulative is 'doses_moderna_cumulative + doses_pfizer_cumulative.';
comment on column dwh.state_doses_weekly.people_per_dose is
    'population (of dwh.state_doses) / doses_total_cumulative, rounded to 4 decimals; null when no doses yet.';

-- A warehouse that already holds a product gets its weeks now, from the raw tables of the same
-- refresh (they always belong to the product's run), so the new endpoints do not answer zeros
-- until the next refresh. The rule is the one of sql/build_state_doses.sql when this was written;
-- every later refresh rebuilds the table from that file.
with weeks as (
    select distinct week_of_allocations as week from raw.allocations
),
allocated as (
    select coalesce(j.folds_into, a.jurisdiction) as counted_in,
           a.week_of_allocations as week,
           case when a.manufacturer = 'moderna'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end as moderna,
           case when a.manufacturer = 'pfizer'
                then a.first_dose_allocations + a.second_dose_allocations else 0 end as pfizer
    from raw.allocations a
    left join dwh.jurisdictions j on j.name = a.jurisdiction
    where j.kind in ('state', 'district', 'city')
),
state_weeks as (
    select counted_in as state, week, sum(moderna) as doses_moderna, sum(pfizer) as doses_pfizer
    from allocated
    group by counted_in, week
),
grid as (
    select s.state, s.state_code, s.population, s.refreshed_at, s.run_id, w.week,
           coalesce(a.doses_moderna, 0) as doses_moderna,
           coalesce(a.doses_pfizer, 0)  as doses_pfizer
    from dwh.state_doses s
    cross join weeks w
    left join state_weeks a on a.state = s.state and a.week = w.week
),
cumulative as (
    select grid.*,
           sum(doses_moderna) over up_to_week as doses_moderna_cumulative,
           sum(doses_pfizer)  over up_to_week as doses_pfizer_cumulative
    from grid
    window up_to_week as (partition by state order by week)
)
insert into dwh.state_doses_weekly (state, state_code, week, doses_moderna, doses_pfizer,
                                    doses_moderna_cumulative, doses_pfizer_cumulative,
                                    doses_total_cumulative, people_per_dose, refreshed_at, run_id)
select state, state_code, week, doses_moderna, doses_pfizer,
       doses_moderna_cumulative, doses_pfizer_cumulative,
       doses_moderna_cumulative + doses_pfizer_cumulative,
       round(population::numeric / nullif(doses_moderna_cumulative + doses_pfizer_cumulative, 0), 4),
       refreshed_at,
       run_id
from cumulative;
