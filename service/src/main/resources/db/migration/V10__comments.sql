-- Numbered after V8, which was released before this one was written: a warehouse at V8 migrates on.
-- Every schema, table, view and column of the warehouse explains itself, so that \d+ in psql and
-- the schema browsers of BI tools (Grafana, Metabase, DBeaver) say what a value is, its unit, how
-- it is computed and where it came from. A test (warehouse/CommentsTest) fails for any column
-- without a comment: a later migration that adds one comments it too.
-- Units: doses and people are counts; weeks are the Monday the CDC dates a week by; times are
-- timestamptz (UTC in the API).

comment on schema raw is
    'The sources of the last successful refresh as they came, typed, one row per data line, with the run '
    'that loaded them and the line they came from. Rebuilt by every refresh, in its transaction.';
comment on schema dwh is
    'The data product (state_doses, state_doses_weekly), the jurisdiction reference, and the log of every '
    'refresh (refresh_runs and the tables named after it).';

-- raw: the sources ------------------------------------------------------------------------------

comment on table raw.cdc_moderna_allocations is
    'The CDC''s weekly Moderna allocations by jurisdiction (MODERNA_URL), as loaded by the last successful '
    'refresh: one row per data line of the file.';
comment on column raw.cdc_moderna_allocations.run_id is 'The refresh run that loaded the row (dwh.refresh_runs.run_id).';
comment on column raw.cdc_moderna_allocations.line is
    'The line of the source file the row starts on (1 is the header, so data starts at 2).';
comment on column raw.cdc_moderna_allocations.jurisdiction is
    'Column jurisdiction of the source: a state, city, territory or other allocation unit, as spelled '
    'there, with surrounding spaces and footnote asterisks (Alaska**) removed.';
comment on column raw.cdc_moderna_allocations.week_of_allocations is
    'Column week_of_allocations of the source: the Monday of the allocation week.';
comment on column raw.cdc_moderna_allocations.first_dose_allocations is
    'Column _1st_dose_allocations (or 1st Dose Allocations) of the source: first doses allocated that week, a count.';
comment on column raw.cdc_moderna_allocations.second_dose_allocations is
    'Column _2nd_dose_allocations (or 2nd Dose Allocations) of the source: second doses allocated that week, a count.';

comment on table raw.cdc_pfizer_allocations is
    'The CDC''s weekly Pfizer allocations by jurisdiction (PFIZER_URL), as loaded by the last successful '
    'refresh: one row per data line of the file. Same columns as raw.cdc_moderna_allocations.';
comment on column raw.cdc_pfizer_allocations.run_id is 'The refresh run that loaded the row (dwh.refresh_runs.run_id).';
comment on column raw.cdc_pfizer_allocations.line is
    'The line of the source file the row starts on (1 is the header, so data starts at 2).';
comment on column raw.cdc_pfizer_allocations.jurisdiction is
    'Column jurisdiction of the source: a state, city, territory or other allocation unit, as spelled '
    'there, with surrounding spaces and footnote asterisks (Alaska**) removed.';
comment on column raw.cdc_pfizer_allocations.week_of_allocations is
    'Column week_of_allocations of the source: the Monday of the allocation week.';
comment on column raw.cdc_pfizer_allocations.first_dose_allocations is
    'Column _1st_dose_allocations (or 1st Dose Allocations) of the source: first doses allocated that week, a count.';
comment on column raw.cdc_pfizer_allocations.second_dose_allocations is
    'Column _2nd_dose_allocations (or 2nd Dose Allocations) of the source: second doses allocated that week, a count.';

comment on table raw.county_population is
    'The Census county population estimates, Vintage 2018 (COUNTY_POPULATION_URL), as loaded by the last '
    'successful refresh: one row per county line of the file.';
comment on column raw.county_population.run_id is 'The refresh run that loaded the row (dwh.refresh_runs.run_id).';
comment on column raw.county_population.line is
    'The line of the source file the row starts on (1 is the header, so data starts at 2).';
comment on column raw.county_population.id is
    'Column Id of the source: the Census geography id (0500000US01001), as given; null when the file has no Id columns.';
comment on column raw.county_population.id2 is
    'Column Id2 of the source: the county''s FIPS code (01001), as given; null when the file has no Id columns.';
comment on column raw.county_population.county is 'Column County of the source: the county''s name.';
comment on column raw.county_population.state is
    'Column State of the source: the state''s full name (footnote asterisks removed); dwh.jurisdictions knows it.';
comment on column raw.county_population.population_estimate_2018 is
    'Column Population Estimate 2018 of the source: the county''s people, July 2018, a count.';

comment on view raw.allocations is
    'Both manufacturers'' allocations in one shape: raw.cdc_moderna_allocations and raw.cdc_pfizer_allocations '
    'with a manufacturer column (UNION: a row repeated word for word counts once).';
comment on column raw.allocations.manufacturer is 'moderna or pfizer: the source table of the row.';
comment on column raw.allocations.jurisdiction is 'As in the source table: the allocation unit, as spelled by the CDC.';
comment on column raw.allocations.week_of_allocations is 'As in the source table: the Monday of the allocation week.';
comment on column raw.allocations.first_dose_allocations is 'As in the source table: first doses allocated that week.';
comment on column raw.allocations.second_dose_allocations is 'As in the source table: second doses allocated that week.';

-- dwh: the product ------------------------------------------------------------------------------

comment on table dwh.state_doses is
    'The data product: people per allocated COVID-19 vaccine dose (Moderna + Pfizer, 1st + 2nd, all weeks), '
    'one row per US state and DC (51). Doses of New York City, Chicago and Philadelphia are folded into NY, '
    'IL and PA; territories, freely associated states and Federal Entities are left out (dwh.refresh_exclusions). '
    'Built by sql/build_state_doses.sql from raw.* and dwh.jurisdictions; served by GET /ratios.';
comment on column dwh.state_doses.state is 'The state''s full name (or District of Columbia), as in dwh.jurisdictions.';
comment on column dwh.state_doses.state_code is 'The state''s USPS code (NY).';
comment on column dwh.state_doses.population is
    'People: the sum of the state''s counties'' Population Estimate 2018 (raw.county_population), each county once.';
comment on column dwh.state_doses.doses_moderna is
    'Moderna doses allocated to the state in all weeks: sum of first + second dose allocations of '
    'raw.cdc_moderna_allocations, its cities folded in.';
comment on column dwh.state_doses.doses_pfizer is
    'Pfizer doses allocated to the state in all weeks: sum of first + second dose allocations of '
    'raw.cdc_pfizer_allocations, its cities folded in.';
comment on column dwh.state_doses.doses_total is 'doses_moderna + doses_pfizer.';
comment on column dwh.state_doses.people_per_dose is
    'population / doses_total, rounded half-up to 4 decimals; null when the state has no doses.';
comment on column dwh.state_doses.refreshed_at is
    'When the refresh that built the row began building the product (the same for every row of a refresh).';
comment on column dwh.state_doses.run_id is 'The refresh run that built the row (dwh.refresh_runs.run_id).';

comment on table dwh.state_doses_weekly is
    'dwh.state_doses week by week: one row per state (50 + DC) and allocation week of the sources (every '
    'week for every state; a week without allocations has 0). Doses of New York City, Chicago and '
    'Philadelphia are folded into NY, IL and PA. Built with dwh.state_doses in the same transaction; a '
    'state''s last week equals its row there. Served by GET /ratios/weekly and GET /ratios/{state}/weekly.';
comment on column dwh.state_doses_weekly.state is 'The state''s full name, as in dwh.state_doses.';
comment on column dwh.state_doses_weekly.state_code is 'The state''s USPS code (NY).';
comment on column dwh.state_doses_weekly.refreshed_at is 'As dwh.state_doses.refreshed_at: the refresh that built the row.';
comment on column dwh.state_doses_weekly.run_id is 'The refresh run that built the row (dwh.refresh_runs.run_id).';

comment on table dwh.jurisdictions is
    'Reference: every jurisdiction name the CDC allocates to (and every state name of the population file), '
    'with what it is. A name not listed here is reported as kind unknown by a refresh.';
comment on column dwh.jurisdictions.name is 'The name as the sources spell it (without footnote asterisks).';
comment on column dwh.jurisdictions.kind is
    'state, district (DC), city (allocated apart, counted in its state), territory, freely_associated_state '
    'or federal (Federal Entities). Only state and district have product rows.';
comment on column dwh.jurisdictions.state_code is 'The USPS code, for kinds state and district; else null.';
comment on column dwh.jurisdictions.folds_into is
    'For a city: the state whose counties hold its people, and whose doses its doses count for; else null.';

-- dwh: the log of refreshes (lineage) ----------------------------------------------------------

comment on table dwh.refresh_runs is
    'Every refresh attempt, one row each, written when it starts and updated when it ends (a failed one '
    'too). Served by GET /refreshes.';
comment on column dwh.refresh_runs.run_id is 'The attempt''s id; raw and product rows carry the run that made them.';
comment on column dwh.refresh_runs.status is
    'running, succeeded, failed or unchanged (every source as the last good run saw it: nothing built). A '
    'run whose process stopped is closed as failed (abandoned).';
comment on column dwh.refresh_runs.started_at is 'When the attempt started.';
comment on column dwh.refresh_runs.finished_at is 'When it ended (committed the product, or failed); null while running.';
comment on column dwh.refresh_runs.state_rows is 'Rows of the product it built (51) when it succeeded; else null.';
comment on column dwh.refresh_runs.error is
    'Why it failed: the detail of the error POST /refresh answered (control characters escaped, cut after '
    '2,000 characters); null otherwise.';

comment on table dwh.refresh_run_sources is
    'What each source delivered to each refresh attempt: one row per run and source loaded (a failed run has '
    'those it loaded before it failed).';
comment on column dwh.refresh_run_sources.run_id is 'The refresh run (dwh.refresh_runs.run_id).';
comment on column dwh.refresh_run_sources.source is 'moderna, pfizer or population.';
comment on column dwh.refresh_run_sources.url is 'The URL the source was read from (MODERNA_URL, PFIZER_URL, COUNTY_POPULATION_URL).';
comment on column dwh.refresh_run_sources.bytes is 'Size of the body read, in bytes (decoded, when it came compressed).';
comment on column dwh.refresh_run_sources.rows is 'Data rows of the source (the header not counted).';
comment on column dwh.refresh_run_sources.sha256 is
    'SHA-256 of the exact bytes read (decoded, when it came compressed), lower-case hex: the file''s identity.';
comment on column dwh.refresh_run_sources.load_ms is 'Milliseconds to fetch, read and load the source.';
comment on column dwh.refresh_run_sources.first_week is 'The oldest week_of_allocations of the source; null for population.';
comment on column dwh.refresh_run_sources.last_week is 'The newest week_of_allocations of the source; null for population.';
comment on column dwh.refresh_run_sources.weeks is 'How many distinct weeks the source has; null for population.';

comment on table dwh.refresh_checks is
    'The data checks each refresh ran on the product it built (sql/checks/*.sql), in order. fail fails the '
    'refresh (its product is rolled back); warn is reported and kept.';
comment on column dwh.refresh_checks.run_id is 'The refresh run (dwh.refresh_runs.run_id).';
comment on column dwh.refresh_checks.position is 'The check''s place in the order the refresh ran them, from 1.';
comment on column dwh.refresh_checks.name is 'The check: unique_state, not_null, row_count, reconciliation, completeness_moderna, ...';
comment on column dwh.refresh_checks.status is 'pass, warn or fail.';
comment on column dwh.refresh_checks.detail is 'What the check found, with the numbers.';

comment on table dwh.refresh_exclusions is
    'For each refresh, the doses allocated to jurisdictions that have no product row (territories, freely '
    'associated states, Federal Entities, unknown names), so that every dose of the sources is accounted for: '
    'doses in the sources = doses in dwh.state_doses + doses here.';
comment on column dwh.refresh_exclusions.run_id is 'The refresh run (dwh.refresh_runs.run_id).';
comment on column dwh.refresh_exclusions.jurisdiction is 'The name as the source spells it (without footnote asterisks).';
comment on column dwh.refresh_exclusions.kind is 'territory, freely_associated_state, federal, or unknown (a name dwh.jurisdictions does not know).';
comment on column dwh.refresh_exclusions.doses_moderna is 'Moderna first + second doses allocated to it, all weeks.';
comment on column dwh.refresh_exclusions.doses_pfizer is 'Pfizer first + second doses allocated to it, all weeks.';
comment on column dwh.refresh_exclusions.doses_total is 'doses_moderna + doses_pfizer.';

-- dwh: the migration history --------------------------------------------------------------------
-- Flyway's table: here whenever the service migrates (Migrations.java pins it in dwh). A history
-- kept elsewhere by another tool's run of these files is left alone.

do $$
begin
    if to_regclass('dwh.flyway_schema_history') is null then
        return;
    end if;
    comment on table dwh.flyway_schema_history is
        'Flyway''s record of the migrations (db/migration) applied to this warehouse, one row each. Kept in dwh '
        'whatever the login role (warehouse/Migrations.java). Not data: never edit it by hand.';
    comment on column dwh.flyway_schema_history.installed_rank is 'The order in which the migrations were applied.';
    comment on column dwh.flyway_schema_history.version is 'The migration''s version (10 for V10__comments.sql).';
    comment on column dwh.flyway_schema_history.description is 'The migration''s description, from its file name.';
    comment on column dwh.flyway_schema_history.type is 'SQL for a migration file; SCHEMA for the creation of schema dwh.';
    comment on column dwh.flyway_schema_history.script is 'The migration''s file name.';
    comment on column dwh.flyway_schema_history.checksum is 'A checksum of the file: a released migration is never edited.';
    comment on column dwh.flyway_schema_history.installed_by is 'The database role that applied it.';
    comment on column dwh.flyway_schema_history.installed_on is 'When it was applied (the server''s local time).';
    comment on column dwh.flyway_schema_history.execution_time is 'How long it took, in milliseconds.';
    comment on column dwh.flyway_schema_history.success is 'Whether it was applied in full.';
end
$$;
