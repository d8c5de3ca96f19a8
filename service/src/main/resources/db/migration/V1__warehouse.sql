-- The warehouse: raw (the sources as they came, typed, with lineage), dwh (reference data,
-- the product, and the log of refresh runs). Released migrations are never edited: add V2.

create schema if not exists raw;
create schema if not exists dwh;

-- One row per refresh attempt, written before the attempt starts and updated when it ends,
-- so a failed or interrupted attempt is still on record.
create table dwh.refresh_runs (
    run_id       bigint generated always as identity primary key,
    status       text        not null check (status in ('running', 'succeeded', 'failed')),
    started_at   timestamptz not null,
    finished_at  timestamptz,
    state_rows   integer,
    error        text
);

create table dwh.refresh_run_sources (
    run_id      bigint not null references dwh.refresh_runs (run_id),
    source      text   not null check (source in ('moderna', 'pfizer', 'population')),
    url         text   not null,
    bytes       bigint not null,
    rows        bigint not null,
    sha256      text   not null,
    load_ms    bigint not null,
    primary key (run_id, source)
);

-- Every jurisdiction name the CDC allocates to, and every state name of the population file,
-- with what it is. A name not listed here is reported as 'unknown' by a refresh.
create table dwh.jurisdictions (
    name        text primary key,
    kind        text not null check (kind in ('state', 'district', 'city', 'territory',
                                              'freely_associated_state', 'federal')),
    state_code  char(2),
    folds_into  text references dwh.jurisdictions (name),
    check ((kind in ('state', 'district')) = (state_code is not null)),
    check ((kind = 'city') = (folds_into is not null))
);

insert into dwh.jurisdictions (name, kind, state_code) values
    ('Alabama', 'state', 'AL'), ('Alaska', 'state', 'AK'), ('Arizona', 'state', 'AZ'),
    ('Arkansas', 'state', 'AR'), ('California', 'state', 'CA'), ('Colorado', 'state', 'CO'),
    ('Connecticut', 'state', 'CT'), ('Delaware', 'state', 'DE'),
    ('District of Columbia', 'district', 'DC'), ('Florida', 'state', 'FL'),
    ('Georgia', 'state', 'GA'), ('Hawaii', 'state', 'HI'), ('Idaho', 'state', 'ID'),
    ('Illinois', 'state', 'IL'), ('Indiana', 'state', 'IN'), ('Iowa', 'state', 'IA'),
    ('Kansas', 'state', 'KS'), ('Kentucky', 'state', 'KY'), ('Louisiana', 'state', 'LA'),
    ('Maine', 'state', 'ME'), ('Maryland', 'state', 'MD'), ('Massachusetts', 'state', 'MA'),
    ('Michigan', 'state', 'MI'), ('Minnesota', 'state', 'MN'), ('Mississippi', 'state', 'MS'),
    ('Missouri', 'state', 'MO'), ('Montana', 'state', 'MT'), ('Nebraska', 'state', 'NE'),
    ('Nevada', 'state', 'NV'), ('New Hampshire', 'state', 'NH'), ('New Jersey', 'state', 'NJ'),
    ('New Mexico', 'state', 'NM'), ('New York', 'state', 'NY'),
    ('North Carolina', 'state', 'NC'), ('North Dakota', 'state', 'ND'), ('Ohio', 'state', 'OH'),
    ('Oklahoma', 'state', 'OK'), ('Oregon', 'state', 'OR'), ('Pennsylvania', 'state', 'PA'),
    ('Rhode Island', 'state', 'RI'), ('South Carolina', 'state', 'SC'),
    ('South Dakota', 'state', 'SD'), ('Tennessee', 'state', 'TN'), ('Texas', 'state', 'TX'),
    ('Utah', 'state', 'UT'), ('Vermont', 'state', 'VT'), ('Virginia', 'state', 'VA'),
    ('Washington', 'state', 'WA'), ('West Virginia', 'state', 'WV'),
    ('Wisconsin', 'state', 'WI'), ('Wyoming', 'state', 'WY');

-- The three cities the CDC allocates apart from their states. Their people are counted in
-- their states' counties, so their doses are folded into those states.
insert into dwh.jurisdictions (name, kind, folds_into) values
    ('New York City', 'city', 'New York'),
    ('Chicago', 'city', 'Illinois'),
    ('Philadelphia', 'city', 'Pennsylvania');

-- Allocated to, but not one of the 50 states + DC: their doses are reported as exclusions.
-- Puerto Rico is also in the population file, which is why the product never joins on name alone.
insert into dwh.jurisdictions (name, kind) values
    ('Puerto Rico', 'territory'), ('U.S. Virgin Islands', 'territory'), ('Guam', 'territory'),
    ('American Samoa', 'territory'), ('Mariana Islands', 'territory'),
    ('Marshall Islands', 'freely_associated_state'), ('Micronesia', 'freely_associated_state'),
    ('Palau', 'freely_associated_state'),
    ('Federal Entities', 'federal');

-- Raw tables: the sources' values, typed, one row per data line, with the line it came from.
create table raw.cdc_moderna_allocations (
    run_id                 bigint  not null,
    line                   bigint  not null,
    jurisdiction           text    not null,
    week_of_allocations    date    not null,
    first_dose_allocations bigint  not null check (first_dose_allocations >= 0),
    second_dose_allocations bigint not null check (second_dose_allocations >= 0)
);

create table raw.cdc_pfizer_allocations (like raw.cdc_moderna_allocations including all);

create table raw.county_population (
    run_id                   bigint not null,
    line                     bigint not null,
    id                       text,
    id2                      text,
    county                   text   not null,
    state                    text   not null,
    population_estimate_2018 bigint not null check (population_estimate_2018 >= 0)
);

-- Both manufacturers' allocations in one shape, for the transform and for analysts. UNION (not
-- UNION ALL) drops a row repeated verbatim; a key repeated with other values fails the refresh.
create view raw.allocations as
select 'moderna' as manufacturer, jurisdiction, week_of_allocations,
       first_dose_allocations, second_dose_allocations
from raw.cdc_moderna_allocations
union
select 'pfizer', jurisdiction, week_of_allocations,
       first_dose_allocations, second_dose_allocations
from raw.cdc_pfizer_allocations;

-- The data product: one row per state (50 + DC).
create table dwh.state_doses (
    state           text primary key references dwh.jurisdictions (name),
    state_code      char(2)     not null unique,
    population      bigint      not null,
    doses_moderna   bigint      not null,
    doses_pfizer    bigint      not null,
    doses_total     bigint      not null,
    people_per_dose numeric(14, 4),
    refreshed_at    timestamptz not null,
    run_id          bigint      not null references dwh.refresh_runs (run_id)
);

comment on table dwh.state_doses is
    'People per allocated COVID-19 vaccine dose (Moderna + Pfizer, 1st + 2nd, all weeks), per US state and DC. '
    'Doses of New York City, Chicago and Philadelphia are folded into NY, IL and PA.';
comment on column dwh.state_doses.population is 'Sum of the state''s counties'' Population Estimate 2018.';
comment on column dwh.state_doses.people_per_dose is 'population / doses_total, rounded to 4 decimals; null when no doses.';

-- What each refresh left out of the state rows, so every dose in the sources is accounted for.
create table dwh.refresh_exclusions (
    run_id        bigint not null references dwh.refresh_runs (run_id),
    jurisdiction  text   not null,
    kind          text   not null,
    doses_moderna bigint not null,
    doses_pfizer  bigint not null,
    doses_total   bigint not null,
    primary key (run_id, jurisdiction)
);
