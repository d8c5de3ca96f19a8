package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.MigratedDatabase;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jdbi.v3.core.HandleCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The warehouse compared with what the migrations made ({@link SchemaCheck}), on a real PostgreSQL:
 * the migrations' facts are exactly sql/schema/migrated.tsv; each of 60 hand changes an
 * analyst with the owner's login could make is named in words of its own, or let be when it
 * cannot change what the service writes or reads; and random batches of them are named together,
 * each as it is alone. Every change is made in a transaction that is rolled back (PostgreSQL's
 * DDL is transactional), so the test's database stays as migrated.
 */
class SchemaCheckTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    private static final SchemaCheck CHECK = SchemaCheck.ofMigrations();

    /** A hand change to one relation ({@code target}) and exactly what the check says of it. */
    record Change(String target, String sql, List<String> said) {
        Change(String target, String sql, String... said) {
            this(target, sql, List.of(said));
        }
    }

    private static final String TRIGGER_FUNCTION = "create or replace function public.zero() returns trigger "
        + "language plpgsql as $$ begin return new; end $$; ";

    static final List<Change> CHANGES = List.of(
        new Change("dwh.state_doses", "alter table dwh.state_doses alter column people_per_dose type numeric(14,2)",
            "dwh.state_doses.people_per_dose is numeric(14,2), where the migrations made it numeric(14,4)"),
        new Change("dwh.state_doses_weekly", "alter table dwh.state_doses_weekly alter column people_per_dose type real",
            "dwh.state_doses_weekly.people_per_dose is real, where the migrations made it numeric(14,4)"),
        new Change("raw.cdc_moderna_allocations",
            "alter table raw.cdc_moderna_allocations drop column line",
            "raw.cdc_moderna_allocations has no column line (the migrations made it bigint not null)"),
        new Change("raw.county_population", "alter table raw.county_population rename column county to county_name",
            "raw.county_population has a column county_name that no migration made, NOT NULL and without a default: "
                + "no refresh writes it",
            "raw.county_population has no column county (the migrations made it text not null)"),
        new Change("dwh.refresh_runs", "alter table dwh.refresh_runs alter column error set not null",
            "dwh.refresh_runs.error is NOT NULL, which the migrations did not make it"),
        new Change("dwh.refresh_run_sources", "alter table dwh.refresh_run_sources alter column attempts drop default",
            "dwh.refresh_run_sources.attempts has no default, where the migrations made it default to 1"),
        new Change("dwh.refresh_lock", "alter table dwh.refresh_lock alter column only_row set default false",
            "dwh.refresh_lock.only_row defaults to false, where the migrations made it default to true"),
        new Change("dwh.state_doses", "alter table dwh.state_doses add constraint mine check (people_per_dose < 100)",
            "dwh.state_doses has a constraint mine that no migration made (CHECK ((people_per_dose < (100)::numeric))): "
                + "it may refuse the rows a refresh writes"),
        new Change("dwh.state_doses", "alter table dwh.state_doses drop constraint state_doses_pkey",
            "dwh.state_doses has lost its constraint state_doses_pkey (PRIMARY KEY (state))"),
        new Change("raw.cdc_pfizer_allocations", TRIGGER_FUNCTION + "create trigger times_ten before insert on "
                + "raw.cdc_pfizer_allocations for each row execute function public.zero()",
            "raw.cdc_pfizer_allocations has a trigger times_ten that no migration made: it may change or refuse the "
                + "rows a refresh writes"),
        new Change("dwh.refresh_runs", "alter table dwh.refresh_runs disable trigger refresh_run_ended",
            "dwh.refresh_runs's trigger refresh_run_ended is disabled"),
        new Change("dwh.refresh_runs", "drop trigger refresh_run_ended on dwh.refresh_runs",
            "dwh.refresh_runs has lost its trigger refresh_run_ended"),
        new Change("dwh.refresh_exclusions",
            "create rule nothing as on insert to dwh.refresh_exclusions do instead nothing",
            "dwh.refresh_exclusions has a rule nothing that no migration made: it may change or drop the rows a "
                + "refresh writes"),
        new Change("dwh.county_code", "create or replace function dwh.county_code(id text, id2 text) returns text "
                + "language sql as $$ select '00' $$",
            "function dwh.county_code(id text, id2 text) was replaced: its body, its type or its security is not the "
                + "migrations'"),
        new Change("dwh.national_file_places", "drop function dwh.national_file_places()",
            "function dwh.national_file_places() is missing"),
        new Change("dwh.refresh_schedule", "drop table dwh.refresh_schedule",
            "dwh.refresh_schedule is missing (the migrations made it a table)"),
        new Change("raw.county_population#2", "drop table raw.county_population",
            "raw.county_population is missing (the migrations made it a table)"),
        new Change("dwh.state_doses#2", "alter table dwh.state_doses rename to state_doses_old",
            "dwh.state_doses is missing (the migrations made it a table)"),
        new Change("raw.allocations", "drop view raw.allocations",
            "raw.allocations is missing (the migrations made it a view)"),
        new Change("dwh.refresh_lock#2", "alter table dwh.refresh_lock rename to refresh_lock_gone",
            "dwh.refresh_lock is missing (the migrations made it a table)"),
        new Change("dwh.jurisdictions", "delete from dwh.jurisdictions where name = 'Chicago'",
            "dwh.jurisdictions has lost Chicago (city in Illinois)"),
        new Change("dwh.jurisdictions", "update dwh.jurisdictions set census_2020_population = 11799449 "
                + "where name = 'Ohio'",
            "dwh.jurisdictions has Ohio as state OH people 11799449 fips 39 last county 175, where the migrations "
                + "wrote state OH people 11799448 fips 39 last county 175"),
        new Change("dwh.jurisdictions", "update dwh.jurisdictions set last_county = 43 where name = 'Wyoming'",
            "dwh.jurisdictions has Wyoming as state WY people 576851 fips 56 last county 43, where the migrations "
                + "wrote state WY people 576851 fips 56 last county 45"),
        new Change("dwh.jurisdictions", "update dwh.jurisdictions set kind = 'territory', folds_into = null "
                + "where name = 'Philadelphia'",
            "dwh.jurisdictions has Philadelphia as territory, where the migrations wrote city in Pennsylvania"),
        new Change("dwh.jurisdictions", "insert into dwh.jurisdictions (name, kind) values ('Atlantis', 'territory')",
            "dwh.jurisdictions has Atlantis (territory), which no migration wrote"),
        // Its rows are not compared once a column they are read from differs: the column is said.
        new Change("dwh.jurisdictions", "alter table dwh.jurisdictions drop column fips; "
                + "delete from dwh.jurisdictions where name = 'Chicago'",
            "dwh.jurisdictions has lost its constraint jurisdictions_fips_check (CHECK ((fips ~ '^[0-9]{2}$'::text)))",
            "dwh.jurisdictions has lost its constraint jurisdictions_fips_key (UNIQUE (fips))",
            "dwh.jurisdictions has no column fips (the migrations made it character(2))"),
        new Change("dwh.state_doses_weekly#2", "alter table dwh.state_doses_weekly set unlogged",
            "dwh.state_doses_weekly is an unlogged table, where the migrations made a table"),
        new Change("dwh.refresh_checks", "alter table dwh.refresh_checks enable row level security; "
                + "alter table dwh.refresh_checks force row level security",
            "dwh.refresh_checks is a table with row security forced on its owner, where the migrations made a table"),
        new Change("dwh.refresh_runs#2", "alter table dwh.refresh_runs alter column run_id drop identity",
            "dwh.refresh_runs.run_id is bigint, where the migrations made it bigint generated always as identity",
            "sequence dwh.refresh_runs_run_id_seq is missing"),
        new Change("dwh.refresh_runs#3", "insert into dwh.refresh_runs (status, started_at) values ('running', now()); "
                + "alter sequence dwh.refresh_runs_run_id_seq restart with 1",
            "dwh.refresh_runs's next run_id is one of its runs' (its sequence was reset by hand, or went round a "
                + "maximum?): no refresh could be recorded. Set it past them: select setval(pg_get_serial_sequence("
                + "'dwh.refresh_runs', 'run_id'), (select max(run_id) from dwh.refresh_runs))"),
        new Change("dwh.refresh_runs#4", "alter table dwh.refresh_runs enable replica trigger refresh_run_ended",
            "dwh.refresh_runs's trigger refresh_run_ended is enabled for replicas only"),
        new Change("raw.county_population#3", "create table public.extra () inherits (raw.county_population)",
            "raw.county_population has a child table public.extra that no migration made: its rows are read with "
                + "raw.county_population's"),
        new Change("dwh.state_doses#3", "create table public.notes (state text references dwh.state_doses)",
            "dwh.state_doses is referenced by a foreign key that no migration made (public.notes notes_state_fkey): "
                + "it refuses the deletes of a refresh, or runs that table's triggers in it"),
        // What a sweep found the comparison missing, each storing wrong numbers with every check passing.
        new Change("dwh.state_doses#4", "create table public.watch (state text references dwh.state_doses "
                + "on delete cascade)",
            "dwh.state_doses is referenced by a foreign key that no migration made (public.watch watch_state_fkey): "
                + "it refuses the deletes of a refresh, or runs that table's triggers in it"),
        new Change("dwh.refresh_runs#5", TRIGGER_FUNCTION + "drop trigger refresh_run_ended on dwh.refresh_runs; "
                + "create trigger refresh_run_ended after insert or update of status, started_at, finished_at on "
                + "dwh.refresh_runs for each row execute function public.zero()",
            "dwh.refresh_runs's trigger refresh_run_ended was replaced: CREATE TRIGGER refresh_run_ended AFTER INSERT "
                + "OR UPDATE OF status, started_at, finished_at ON dwh.refresh_runs FOR EACH ROW EXECUTE FUNCTION "
                + "public.zero()"),
        new Change("raw.cdc_pfizer_allocations#2", "alter table raw.cdc_pfizer_allocations drop constraint "
                + "cdc_moderna_allocations_first_dose_allocations_check, add constraint "
                + "cdc_moderna_allocations_first_dose_allocations_check check (first_dose_allocations < 100000)",
            "raw.cdc_pfizer_allocations's constraint cdc_moderna_allocations_first_dose_allocations_check is CHECK "
                + "((first_dose_allocations < 100000)), where the migrations made it CHECK ((first_dose_allocations >= "
                + "0))"),
        new Change("raw.cdc_moderna_allocations#2", "create function public.f() returns text language sql as "
                + "$$ select null::text $$; alter table raw.cdc_moderna_allocations add column note text default "
                + "public.f()",
            "raw.cdc_moderna_allocations has a column note that no migration made, whose default runs code "
                + "(public.f()) in every row a refresh writes"),
        new Change("dwh.refresh_exclusions#2", "create unique index uq_x on dwh.refresh_exclusions (kind) "
                + "where kind = 'territory'",
            "dwh.refresh_exclusions has an index uq_x that no migration made (CREATE UNIQUE INDEX uq_x ON "
                + "dwh.refresh_exclusions USING btree (kind) WHERE (kind = 'territory'::text)): unique, partial or on "
                + "expressions, it may refuse the rows a refresh writes or run code as it writes them"),
        new Change("dwh.refresh_run_totals#2", "alter table dwh.refresh_run_totals drop constraint "
                + "refresh_run_totals_pkey, add constraint refresh_run_totals_pkey primary key (status, runs)",
            "dwh.refresh_run_totals's constraint refresh_run_totals_pkey is PRIMARY KEY (status, runs), where the "
                + "migrations made it PRIMARY KEY (status)",
            "dwh.refresh_run_totals's index refresh_run_totals_pkey is CREATE UNIQUE INDEX refresh_run_totals_pkey ON "
                + "dwh.refresh_run_totals USING btree (status, runs), where the migrations made it CREATE UNIQUE "
                + "INDEX refresh_run_totals_pkey ON dwh.refresh_run_totals USING btree (status)"),
        new Change("dwh.national_file_places#2", "create function dwh.national_file_places(n int default 99) returns "
                + "integer language sql as 'select n'",
            "function dwh.national_file_places(n integer), which no migration made, is named as one of the "
                + "migrations': the service's calls of it may now call it, or find two"),
        new Change("dwh.county_code#2", "alter function dwh.county_code(text, text) security definer",
            "function dwh.county_code(id text, id2 text) was replaced: its body, its type or its security is not the "
                + "migrations'"),
        // The run log's: its identity's sequence, which "drop identity" drops with it (so one relation in a batch).
        new Change("dwh.refresh_runs#seq", "alter sequence dwh.refresh_runs_run_id_seq increment by -1",
            "sequence dwh.refresh_runs_run_id_seq is increment by -1 maxvalue 9223372036854775807, where the migrations made it "
                + "increment by 1 maxvalue 9223372036854775807"),
        new Change("dwh.jurisdictions#2", "alter table dwh.jurisdictions alter column name type text collate \"C\"",
            "dwh.jurisdictions.name is text collate \"C\", where the migrations made it text"),
        new Change("dwh.refresh_checks#2", "alter table dwh.refresh_checks replica identity nothing",
            "dwh.refresh_checks is a table with replica identity nothing, where the migrations made a table"),
        // A column of a domain whose default, checks or NOT NULL act on every row written: an
        // analyst's function ran in every row of a refresh, unseen.
        new Change("dwh.state_doses#domain", "create function public.logit() returns int language sql as 'select 1'; "
            + "create domain public.dlog as int default public.logit(); "
            + "alter table dwh.state_doses add column tag public.dlog",
            "dwh.state_doses has a column tag that no migration made, of the domain public.dlog (domain default: "
                + "public.logit()): its default or checks run code, or refuse rows, in every row a refresh writes"),
        new Change("dwh.refresh_run_sources#domain", "create domain public.dpos as int check (value > 0); "
            + "alter table dwh.refresh_run_sources add column n public.dpos",
            "dwh.refresh_run_sources has a column n that no migration made, of the domain public.dpos (domain "
                + "check): its default or checks run code, or refuse rows, in every row a refresh writes"),
        new Change("raw.cdc_pfizer_allocations#domain", "create domain public.dnn as int not null default 1; "
            + "alter table raw.cdc_pfizer_allocations add column z public.dnn",
            "raw.cdc_pfizer_allocations has a column z that no migration made, of the domain public.dnn (domain "
                + "default: 1; domain not null): its default or checks run code, or refuse rows, in every row a refresh writes"),
        // What cannot change what the service writes or reads is let be.
        new Change("dwh.refresh_checks", "create domain public.dconst as text default 'n/a'; "
            + "alter table dwh.refresh_checks add column k public.dconst, add column j public.dconst"),
        new Change("dwh.state_doses", "create table public.notes (state text references dwh.jurisdictions)"),
        new Change("raw.county_population", "alter table raw.county_population add column checked boolean default "
            + "false, add column weight numeric default (-1.5), add column label text default 'n/a'::text"),
        new Change("dwh.refresh_runs", "drop index dwh.refresh_runs_running"),
        new Change("dwh.state_doses", "create function public.notes() returns int language sql as 'select 1'"),
        new Change("dwh.jurisdictions", "create table public.places (name text references dwh.jurisdictions)"),
        new Change("dwh.refresh_run_totals", "alter table dwh.refresh_run_totals enable row level security"),
        new Change("dwh.refresh_schedule", TRIGGER_FUNCTION + "create trigger replica before insert on "
            + "dwh.refresh_schedule for each row execute function public.zero(); alter table dwh.refresh_schedule "
            + "enable replica trigger replica"),
        new Change("dwh.refresh_runs", "insert into dwh.refresh_runs (status, started_at) values ('running', now())"),
        new Change("dwh.state_doses", "create view dwh.my_view as select * from dwh.state_doses"),
        new Change("dwh.state_doses", "alter table dwh.state_doses add column note text"),
        new Change("dwh.state_doses", "alter table dwh.state_doses add column flag boolean not null default false"),
        new Change("dwh.state_doses", "create index on dwh.state_doses (population)"),
        new Change("dwh.state_doses", "alter table dwh.state_doses alter column population drop not null"),
        new Change("dwh.state_doses", TRIGGER_FUNCTION + "create trigger off before insert on dwh.state_doses "
            + "for each row execute function public.zero(); alter table dwh.state_doses disable trigger off"),
        new Change("dwh.mine", TRIGGER_FUNCTION + "create table dwh.mine (x int not null); create trigger t before "
            + "insert on dwh.mine for each row execute function public.zero(); create rule r as on update to "
            + "dwh.mine do instead nothing"),
        new Change("dwh.mine()", "create function dwh.mine() returns int language sql as 'select 1'"),
        new Change("raw.cdc_moderna_allocations", "alter table raw.cdc_moderna_allocations alter column line "
            + "drop not null"));

    @Test
    void theMigrationsMakeExactlyTheFactsOfMigratedTsv() throws IOException {
        List<String> read = database.jdbi().withHandle(h -> {
            List<String> lines = new ArrayList<>();
            SchemaCheck.read(h, Sql.load("schema/warehouse_schema.sql")).forEach(f -> lines.add(f.line()));
            SchemaCheck.read(h, Sql.load("schema/reference_rows.sql")).forEach(f -> lines.add(f.line()));
            SchemaCheck.read(h, Sql.load("schema/next_run_id.sql")).forEach(f -> lines.add(f.line()));
            Collections.sort(lines);
            return lines;
        });
        List<String> listed = new ArrayList<>();
        for (String line : resource().split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                listed.add(line);
            }
        }
        Collections.sort(listed);
        assertEquals(listed, read, () -> "a migration changed what the warehouse holds; put these lines in "
            + SchemaCheck.MIGRATED + ":\n" + String.join("\n", read));
        assertTrue(read.size() > 200, "facts read: " + read.size());
    }

    @Test
    void migratedTsvSaysTheVersionOfTheLastMigration() throws IOException, URISyntaxException {
        Path migrations = Path.of(Objects.requireNonNull(getClass().getResource("/db/migration")).toURI());
        Pattern versioned = Pattern.compile("V(\\d+)__.*\\.(sql|class)");
        int last;
        try (Stream<Path> files = Files.list(migrations)) {
            last = files.map(p -> versioned.matcher(p.getFileName().toString())).filter(Matcher::matches)
                .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
        }
        assertEquals(last, CHECK.version());
        assertTrue(resource().startsWith("# version " + last + "\n"));
    }

    /**
     * The run log's sequence made to go round at its last value and then undone: the refreshes
     * refused meanwhile took 1, 2, 3 from it, and undoing the change left it behind the runs. The
     * statement the check's words give mends it.
     */
    @Test
    void theStatementTheNextIdsWordsGiveMendsIt() {
        List<String> said = inRolledBack(h -> {
            h.execute("insert into dwh.refresh_runs (status, started_at) values ('running', now()), "
                + "('running', now())");
            h.execute("do $$ begin execute format('alter sequence dwh.refresh_runs_run_id_seq maxvalue %s cycle', "
                + "(select last_value from dwh.refresh_runs_run_id_seq)); end $$");
            h.execute("select nextval('dwh.refresh_runs_run_id_seq')");
            h.execute("alter sequence dwh.refresh_runs_run_id_seq no maxvalue no cycle");
            List<String> before = CHECK.differences(h);
            h.execute(SchemaCheck.NEXT_ID_MENDED);
            List<String> after = CHECK.differences(h);
            return List.of(String.join("|", before), String.join("|", after));
        });
        assertTrue(said.get(0).startsWith("dwh.refresh_runs's next run_id is one of its runs'"), said.get(0));
        assertEquals("", said.get(1));
    }

    @Test
    void aWarehouseAsMigratedDiffersInNothing() {
        assertEquals(List.of(), database.jdbi().withHandle(CHECK::differences));
    }

    @Test
    void eachHandChangeIsNamedInWordsOfItsOwn() {
        for (Change change : CHANGES) {
            assertEquals(sorted(change.said()), differencesAfter(List.of(change)), change.sql());
        }
    }

    /** Random batches of changes to distinct relations: each is said as it is alone, and nothing else. */
    @Test
    void randomBatchesOfChangesAreEachNamed() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 12; round++) {
            List<Change> shuffled = new ArrayList<>(CHANGES);
            Collections.shuffle(shuffled, random);
            Set<String> targets = new HashSet<>();
            List<Change> batch = new ArrayList<>();
            int size = 2 + random.nextInt(6);
            for (Change change : shuffled) {
                // One change per relation: two to one relation may hide each other (a column
                // changed in a table dropped), and the check then rightly says one.
                if (batch.size() < size && targets.add(change.target().replaceFirst("#.*", ""))) {
                    batch.add(change);
                }
            }
            Set<String> said = new TreeSet<>();
            batch.forEach(c -> said.addAll(c.said()));
            assertEquals(List.copyOf(said), differencesAfter(batch), "seed " + seed + ", batch "
                + batch.stream().map(Change::sql).toList());
        }
    }

    @Test
    void aWarehouseMigratedByANewerBuildIsNotCompared() {
        List<String> said = inRolledBack(h -> {
            h.execute("alter table dwh.state_doses alter column people_per_dose type real");
            h.execute("insert into dwh.flyway_schema_history (installed_rank, version, description, type, script, "
                + "checksum, installed_by, execution_time, success) values (999, '" + (CHECK.version() + 1)
                + "', 'newer', 'SQL', 'V" + (CHECK.version() + 1) + "__newer.sql', 0, 'test', 1, true)");
            assertEquals(CHECK.version() + 1, CHECK.newerMigration(h).orElseThrow());
            return CHECK.differences(h);
        });
        assertEquals(List.of(), said);
        // A failed newer migration is not a newer schema.
        List<String> failed = inRolledBack(h -> {
            h.execute("alter table dwh.state_doses alter column people_per_dose type real");
            h.execute("insert into dwh.flyway_schema_history (installed_rank, version, description, type, script, "
                + "checksum, installed_by, execution_time, success) values (999, '" + (CHECK.version() + 1)
                + "', 'newer', 'SQL', 'V" + (CHECK.version() + 1) + "__newer.sql', 0, 'test', 1, false)");
            return CHECK.differences(h);
        });
        assertEquals(List.of("dwh.state_doses.people_per_dose is real, where the migrations made it numeric(14,4)"),
            failed);
    }

    /**
     * A privilege the service's login lost (a superuser's cannot: the test's login is one, so the
     * check runs as a login given every privilege on the schemas, then one revoked).
     */
    @Test
    void aPrivilegeRevokedFromTheServicesLoginIsSaid() {
        assertEquals(List.of("dwh.state_doses: the service's login may not insert, truncate (a privilege revoked by "
            + "hand?)"), inRolledBack(h -> {
                h.execute("create role schema_check_login; grant usage on schema dwh, raw to schema_check_login; "
                    + "grant all on all tables in schema dwh, raw to schema_check_login; "
                    + "grant all on all sequences in schema dwh to schema_check_login; "
                    + "revoke insert, truncate on dwh.state_doses from schema_check_login; "
                    + "set local role schema_check_login");
                return CHECK.differences(h);
            }));
    }

    @Test
    void aMigrationHistoryDroppedByHandIsSaid() {
        assertEquals(List.of("dwh.flyway_schema_history, the migrations' history, is missing: the next start would "
            + "apply every migration again, and fail"), inRolledBack(h -> {
                h.execute("drop table dwh.flyway_schema_history");
                return CHECK.differences(h);
            }));
    }

    @Test
    void aLongListIsShortenedToItsFirstFive() {
        List<String> seven = List.of("a", "b", "c", "d", "e", "f", "g");
        assertEquals("a; b; c; d; e; and 2 more", SchemaCheck.describe(seven));
        assertEquals("a; b", SchemaCheck.describe(List.of("a", "b")));
    }

    private static List<String> differencesAfter(List<Change> changes) {
        return inRolledBack(h -> {
            for (Change change : changes) {
                h.execute(change.sql());
            }
            return CHECK.differences(h);
        });
    }

    private static List<String> inRolledBack(HandleCallback<List<String>, RuntimeException> work) {
        return database.jdbi().withHandle(h -> {
            h.begin();
            try {
                return work.withHandle(h);
            } finally {
                h.rollback();
            }
        });
    }

    private static List<String> sorted(List<String> words) {
        return List.copyOf(new TreeSet<>(words));
    }

    private static String resource() throws IOException {
        try (var in = SchemaCheck.class.getResourceAsStream(SchemaCheck.MIGRATED)) {
            return new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
