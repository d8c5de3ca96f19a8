package dev.statedoses.warehouse;

import dev.statedoses.util.Resources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Whether the warehouse still has what the migrations made (sql/schema/migrated.tsv): its tables
 * and views, their columns (type, collation, identity, NOT NULL, default), constraints, indexes
 * that refuse rows or run code, triggers and rules, other tables' foreign keys and child tables
 * on them, the service login's privileges, our sequence and functions, the jurisdiction
 * reference's rows and the run log's next id. Analysts reach the warehouse with psql, some as its
 * owner; a hand change there stored wrong values with every check passing (a trigger), failed
 * every refresh as "Something unexpected failed" (a column dropped), or ended a start in a stack
 * trace. What differs is named, one difference at a time, so that whoever made it can undo it.
 *
 * <p>What cannot change what the service writes or reads is let be: a table, view, plain index or
 * function of one's own, a column added that may be null or has a constant default, a disabled
 * trigger, a NOT NULL dropped (the service writes every value; the data checks look at every row
 * it builds), an index of the migrations dropped (reads slow down). A constraint dropped is not:
 * the run log's and the lock's statements rely on their keys. Nor is anything that runs code in a
 * refresh's transaction: a trigger, a rule, a default that calls a function, a check or an index
 * expression, a foreign key's action (the other table's triggers); the service's search_path
 * (pg_catalog, pg_temp: Warehouse) keeps functions and operators of other schemas out of its own
 * statements.
 */
public final class SchemaCheck {

    /** One fact of the warehouse: a relation, a column, ... (kind), where, its name, what it is. */
    record Fact(String kind, String relation, String name, String detail) {

        String key() {
            return kind + '\t' + relation + '\t' + name;
        }

        String line() {
            return key() + '\t' + detail;
        }
    }

    static final String MIGRATED = "/sql/schema/migrated.tsv";
    private static final String SCHEMA = Sql.load("schema/warehouse_schema.sql");
    private static final String REFERENCE = Sql.load("schema/reference_rows.sql");
    private static final String NEXT_RUN_ID = Sql.load("schema/next_run_id.sql");
    private static final Pattern VERSION = Pattern.compile("# version (\\d+)");

    private final Map<String, Fact> migrated;
    private final int version;

    private SchemaCheck(Map<String, Fact> migrated, int version) {
        this.migrated = migrated;
        this.version = version;
    }

    /** The check against what this build's migrations make. */
    public static SchemaCheck ofMigrations() {
        String text = Resources.find(MIGRATED).map(bytes -> new String(bytes, StandardCharsets.UTF_8))
            .orElseThrow(() -> new IllegalStateException("missing resource " + MIGRATED));
        Matcher version = VERSION.matcher(text);
        if (!version.lookingAt()) {
            throw new IllegalStateException(MIGRATED + " does not start with the migrations' version");
        }
        Map<String, Fact> facts = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                Fact fact = parse(line);
                facts.put(fact.key(), fact);
            }
        }
        return new SchemaCheck(facts, Integer.parseInt(version.group(1)));
    }

    static Fact parse(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length != 4) {
            throw new IllegalStateException(MIGRATED + ": not four tab-separated fields: " + line);
        }
        return new Fact(fields[0], fields[1], fields[2], fields[3]);
    }

    /** The version of the last migration this check knows what it makes. */
    public int version() {
        return version;
    }

    /**
     * What differs, in words, sorted; empty when nothing that matters does, or when a newer build
     * migrated the warehouse since (it knows its own schema: {@link #newerMigration}).
     */
    public List<String> differences(Handle h) {
        if (!historyThere(h)) {
            // Nothing at all of the migrations' (the database dropped and created again under the
            // running service): a restart migrates it, as the reads' answers say. Only a history
            // lost beside the tables would make the next start's migrations fail.
            boolean empty = h.createQuery("select to_regnamespace('dwh') is null and to_regnamespace('raw') is null")
                .mapTo(Boolean.class).one();
            return List.of(empty
                ? "the warehouse holds nothing the migrations made (no schema dwh or raw): was the database dropped "
                    + "and created again, or emptied by hand? A restart of the service migrates an empty database"
                : "dwh.flyway_schema_history, the migrations' history, is missing: the next start would "
                    + "apply every migration again, and fail");
        }
        List<String> session = session(h);
        if (newerMigration(h).isPresent()) {
            return session;
        }
        List<Fact> found = new ArrayList<>(read(h, SCHEMA));
        Set<String> kindsRead = new TreeSet<>();
        // Rows read from our tables, only once the columns they read are there as made.
        if (columnsAsMade(found, "dwh.jurisdictions")) {
            found.addAll(read(h, REFERENCE));
            kindsRead.add("reference");
        }
        if (columnsAsMade(found, "dwh.refresh_runs")) {
            found.addAll(read(h, NEXT_RUN_ID));
            kindsRead.add("next id");
        }
        List<String> all = new ArrayList<>(compare(migrated, found, kindsRead));
        all.addAll(session);
        return all.stream().sorted().toList();
    }

    /**
     * What of the session itself would change what a refresh writes: a session_replication_role
     * other than origin, which a superuser may set on the database or the role. Under it no
     * ordinary trigger fires and no foreign key is checked: dwh.refresh_runs' trigger does not
     * count the runs in dwh.refresh_run_totals, and the product's keys to the reference go
     * unchecked. The service sets it back to origin in its sessions when its login may
     * (Warehouse); a login that may not is named here.
     */
    private static List<String> session(Handle h) {
        String role = h.createQuery("select current_setting('session_replication_role')").mapTo(String.class).one();
        if ("origin".equals(role)) {
            return List.of();
        }
        return List.of("the service's sessions have session_replication_role = " + role + " (set on the database or "
            + "its login by a superuser), under which the warehouse's triggers and foreign keys do not fire: the run "
            + "totals would miss runs and the product's keys go unchecked. Reset it (alter database <name> reset "
            + "session_replication_role), or let the service log in as a superuser, whose sessions it sets back");
    }

    /**
     * The newest migration applied to the warehouse when it is newer than this build's: a newer
     * build's instance shares the warehouse (during an upgrade, say), and what it added is not a
     * hand change. Empty too when there is no history (differences says so).
     */
    public Optional<Integer> newerMigration(Handle h) {
        if (!historyThere(h)) {
            return Optional.empty();
        }
        Integer newest = h.createQuery("select max(version::numeric)::int from dwh.flyway_schema_history "
            + "where success and version ~ '^[0-9]+$'").mapTo(Integer.class).one();
        return newest != null && newest > version ? Optional.of(newest) : Optional.empty();
    }

    private static boolean historyThere(Handle h) {
        return h.createQuery("select to_regclass('dwh.flyway_schema_history') is not null").mapTo(Boolean.class).one();
    }

    /** The facts {@code sql} reads from the warehouse {@code h} reaches. */
    static List<Fact> read(Handle h, String sql) {
        return h.createQuery(sql).map((r, ctx) -> new Fact(r.getString("kind"), r.getString("relation"),
            r.getString("name"), r.getString("detail"))).list();
    }

    /** Whether every column of {@code relation} the migrations made is there as they made it. */
    private boolean columnsAsMade(List<Fact> facts, String relation) {
        Set<String> found = new TreeSet<>();
        facts.forEach(f -> found.add(f.line()));
        return migrated.values().stream()
            .filter(f -> f.relation().equals(relation) && f.kind().equals("column"))
            .allMatch(f -> found.contains(f.line()));
    }

    /**
     * The differences between what the migrations made ({@code made}) and what is there
     * ({@code found}: facts read from rows, the reference's and the run ids', among them when
     * their kind is in {@code kindsRead}), in words.
     */
    static List<String> compare(Map<String, Fact> made, List<Fact> found, Set<String> kindsRead) {
        Map<String, Fact> there = new LinkedHashMap<>();
        found.forEach(f -> there.put(f.key(), f));
        Set<String> madeRelations = new TreeSet<>();
        Set<String> madeFunctionNames = new TreeSet<>();
        for (Fact m : made.values()) {
            if (m.kind().equals("relation")) {
                madeRelations.add(m.relation());
            } else if (m.kind().equals("function")) {
                madeFunctionNames.add(functionName(m.relation()));
            }
        }
        Set<String> words = new TreeSet<>();
        for (Fact m : made.values()) {
            Fact t = there.get(m.key());
            if (!m.kind().equals("relation") && madeRelations.contains(m.relation())
                && !there.containsKey("relation\t" + m.relation() + '\t')) {
                continue; // what a missing relation had is said of the relation
            }
            madeDifference(m, t, kindsRead).ifPresent(words::add);
        }
        for (Fact t : found) {
            if (!made.containsKey(t.key())) {
                addedDifference(t, madeRelations, madeFunctionNames).ifPresent(words::add);
            }
        }
        return List.copyOf(words);
    }

    /** How {@code there} (null: gone) differs from {@code made}, the migrations' fact, if it does in a way that matters. */
    private static Optional<String> madeDifference(Fact made, Fact there, Set<String> kindsRead) {
        String relation = made.relation();
        if (there != null && there.detail().equals(made.detail())) {
            return Optional.empty();
        }
        String word = switch (made.kind()) {
            case "relation" -> there == null ? relation + " is missing (the migrations made it " + a(made.detail()) + ")"
                : relation + " is " + a(there.detail()) + ", where the migrations made " + a(made.detail());
            case "column" -> there == null ? relation + " has no column " + made.name() + " (the migrations made it "
                + made.detail() + ")" : columnDifference(made, there).orElse(null);
            case "constraint" -> there == null ? relation + " has lost its constraint " + made.name() + " ("
                + made.detail() + ")" : relation + "'s constraint " + made.name() + " is " + there.detail()
                + ", where the migrations made it " + made.detail();
            // An index the migrations made that is gone only slows reads down (one of a constraint's
            // goes with it, and is said of it); one replaced can refuse rows.
            case "index" -> there == null ? null : relation + "'s index " + made.name() + " is " + there.detail()
                + ", where the migrations made it " + made.detail();
            case "trigger" -> there == null ? relation + " has lost its trigger " + made.name()
                : !definition(there).equals(definition(made)) ? relation + "'s trigger " + made.name()
                    + " was replaced: " + definition(there)
                : relation + "'s trigger " + made.name() + " is " + state(there);
            case "privileges" -> there == null ? null : relation + ": the service's login " + there.detail()
                + " (a privilege revoked by hand?)";
            case "sequence" -> there == null ? "sequence " + relation + " is missing" : "sequence " + relation
                + " is " + there.detail() + ", where the migrations made it " + made.detail();
            case "next id" -> !kindsRead.contains("next id") || there == null ? null : relation + "'s next "
                + made.name() + " is one of its runs' (its sequence was reset by hand, or went round a maximum?): no "
                + "refresh could be recorded. Set it past them: " + NEXT_ID_MENDED;
            case "function" -> there == null ? "function " + relation + " is missing" : "function " + relation
                + " was replaced: its body, its type or its security is not the migrations'";
            case "reference" -> !kindsRead.contains("reference") ? null // its columns differ, and are said
                : there == null ? relation + " has lost " + made.name() + " (" + made.detail() + ")"
                : relation + " has " + made.name() + " as " + there.detail() + ", where the migrations wrote "
                    + made.detail();
            default -> throw new IllegalStateException(MIGRATED + ": unknown kind " + made.kind());
        };
        return Optional.ofNullable(word);
    }

    /**
     * What {@code added}, a fact no migration made, does to the service, if anything: only what is
     * on a relation of ours can (a table, trigger or function of one's own is let be), and a
     * function named as one of ours.
     */
    private static Optional<String> addedDifference(Fact added, Set<String> madeRelations,
                                                    Set<String> madeFunctionNames) {
        String relation = added.relation();
        if (added.kind().equals("function")) {
            return madeFunctionNames.contains(functionName(relation))
                ? Optional.of("function " + relation + ", which no migration made, is named as one of the "
                    + "migrations': the service's calls of it may now call it, or find two")
                : Optional.empty();
        }
        if (!madeRelations.contains(relation)) {
            return Optional.empty();
        }
        String word = switch (added.kind()) {
            case "column" -> addedColumn(added);
            case "constraint" -> relation + " has a constraint " + added.name() + " that no migration made ("
                + added.detail() + "): it may refuse the rows a refresh writes";
            case "index" -> relation + " has an index " + added.name() + " that no migration made ("
                + added.detail() + "): unique, partial or on expressions, it may refuse the rows a refresh writes "
                + "or run code as it writes them";
            case "trigger" -> state(added).equals("enabled") ? relation + " has a trigger " + added.name()
                + " that no migration made: it may change or refuse the rows a refresh writes" : null;
            case "referenced" -> relation + " is referenced by a foreign key that no migration made ("
                + added.name() + "): it refuses the deletes of a refresh, or runs that table's triggers in it";
            case "child" -> relation + " has a child table " + added.name() + " that no migration made: its rows "
                + "are read with " + relation + "'s";
            case "rule" -> relation + " has a rule " + added.name() + " that no migration made: it may change or "
                + "drop the rows a refresh writes";
            case "reference" -> relation + " has " + added.name() + " (" + added.detail() + "), which no migration "
                + "wrote";
            default -> null;
        };
        return Optional.ofNullable(word);
    }

    /**
     * A column no migration made is let be when a refresh's insert cannot notice it: it may be
     * null, or its default is a constant. A default that calls a function runs code in every
     * insert of the refresh (even one that changes what its later statements read).
     */
    private static String addedColumn(Fact added) {
        Column column = Column.of(added.detail());
        Matcher domain = DOMAIN.matcher(column.type());
        if (domain.find()) {
            // A domain's default, checks and NOT NULL act as the column's own would: a default that
            // calls a function ran an analyst's code in every row a refresh wrote, and a check or a
            // default that raises failed refreshes as "something unexpected".
            String said = domain.group(1);
            String defaultValue = said.startsWith("domain default: ")
                ? said.substring("domain default: ".length()).split("; domain ", 2)[0] : null;
            boolean code = said.contains("domain check") || said.contains("domain not null")
                || defaultValue != null && !CONSTANT.matcher(defaultValue).matches();
            if (code) {
                return added.relation() + " has a column " + added.name() + " that no migration made, of the domain "
                    + column.type().substring(0, domain.start()).strip() + " (" + said + "): its default or checks "
                    + "run code, or refuse rows, in every row a refresh writes";
            }
        }
        if (column.defaultValue() == null) {
            return column.notNull() ? added.relation() + " has a column " + added.name() + " that no migration "
                + "made, NOT NULL and without a default: no refresh writes it" : null;
        }
        return CONSTANT.matcher(column.defaultValue()).matches() ? null : added.relation() + " has a column "
            + added.name() + " that no migration made, whose default runs code (" + column.defaultValue()
            + ") in every row a refresh writes";
    }

    /** The statement that sets the run log's next id past its runs, as the check's words give it. */
    static final String NEXT_ID_MENDED = "select setval(pg_get_serial_sequence('dwh.refresh_runs', 'run_id'), "
        + "(select max(run_id) from dwh.refresh_runs))";

    /** The part of a column's type warehouse_schema.sql writes for a domain with a default, checks or NOT NULL. */
    private static final Pattern DOMAIN = Pattern.compile("\\[(domain [^\\]]*)\\]");

    /** A default that is a constant, as pg_get_expr prints one: a number, a string or a boolean, cast or not. */
    private static final Pattern CONSTANT = Pattern.compile(
        "(\\(?-?[0-9][0-9.e+-]*\\)?|'(?:[^']|'')*'|true|false|NULL)(::[a-z][a-z0-9 _]*(\\[\\])?(\\([0-9, ]+\\))?)?");

    private static String functionName(String signature) {
        int paren = signature.indexOf('(');
        return paren < 0 ? signature : signature.substring(0, paren);
    }

    /** A trigger's state ("enabled", "disabled", "enabled for replicas only"), as warehouse_schema.sql writes it. */
    private static String state(Fact trigger) {
        String detail = trigger.detail();
        int colon = detail.indexOf(": ");
        return colon < 0 ? detail : detail.substring(0, colon);
    }

    /** A trigger's definition, as pg_get_triggerdef prints it. */
    private static String definition(Fact trigger) {
        String detail = trigger.detail();
        int colon = detail.indexOf(": ");
        return colon < 0 ? "" : detail.substring(colon + 2);
    }

    /** How a column that is there differs from the migrations' one, if it does in a way that matters. */
    private static Optional<String> columnDifference(Fact made, Fact there) {
        Column m = Column.of(made.detail());
        Column t = Column.of(there.detail());
        String column = made.relation() + "." + made.name();
        if (!m.type().equals(t.type())) {
            return Optional.of(column + " is " + t.type() + ", where the migrations made it " + m.type());
        }
        if (t.notNull() && !m.notNull()) { // the refresh writes null there (a ratio of no doses)
            return Optional.of(column + " is NOT NULL, which the migrations did not make it");
        }
        if (m.defaultValue() != null && !m.defaultValue().equals(t.defaultValue())) {
            return Optional.of(column + (t.defaultValue() == null ? " has no default"
                : " defaults to " + t.defaultValue()) + ", where the migrations made it default to " + m.defaultValue());
        }
        return Optional.empty();
    }

    /** A column's detail, as warehouse_schema.sql writes it: type, then "not null", then "default ...". */
    private record Column(String type, boolean notNull, String defaultValue) {

        static Column of(String detail) {
            int at = detail.indexOf(" default ");
            String defaultValue = at < 0 ? null : detail.substring(at + " default ".length());
            String rest = at < 0 ? detail : detail.substring(0, at);
            boolean notNull = rest.endsWith(" not null");
            return new Column(notNull ? rest.substring(0, rest.length() - " not null".length()) : rest, notNull,
                defaultValue);
        }
    }

    /** {@code noun} after "a" or "an". */
    private static String a(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    /** The differences as a sentence's end: the first few, and how many more. */
    public static String describe(List<String> differences) {
        int shown = Math.min(differences.size(), 5);
        String listed = String.join("; ", differences.subList(0, shown));
        return differences.size() > shown ? listed + "; and " + (differences.size() - shown) + " more" : listed;
    }
}
