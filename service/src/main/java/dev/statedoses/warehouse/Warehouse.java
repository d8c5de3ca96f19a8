package dev.statedoses.warehouse;

import dev.statedoses.util.Failures;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.statedoses.text.Printable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.postgresql.util.PSQLException;

/**
 * The PostgreSQL warehouse: a connection pool, JDBI over it, and the schema brought up to date by
 * the versioned migrations in {@code db/migration} before anything else touches it.
 */
public final class Warehouse implements AutoCloseable {

    /** The channel a refresh announces its commit on; every instance on the warehouse listens. */
    public static final String PRODUCT_CHANNEL = "state_doses_refreshed";

    /** The search_path of every session of the service's pool (see {@link #connect}). */
    static final String SEARCH_PATH = "pg_catalog, pg_temp";

    /**
     * The first statement of every session of the service, the pool's and the listener's: what
     * {@link #connect} explains (the search_path, session_replication_role, no time limits but the
     * client's), and the settings that change the text the server writes, at the values the
     * service reads it with. Under a database's quote_all_identifiers every definition read back
     * came quoted, so the schema check found every constraint changed and every refresh failed,
     * on a warehouse the service had just made. Under another TimeZone (the driver sends the
     * JVM's) the product's rows hashed to another digest (sql/kept/product_digest.sql), and a
     * refresh of unchanged sources rebuilt the product, warning that it was "changed by hand". An
     * idle_session_timeout (PostgreSQL 14) ended the pool's idle sessions and the listener's
     * between two notifications, a warning every few seconds and, at the wrong moment, a start
     * that failed.
     */
    static final String SESSION_SETUP = "select set_config('search_path', '" + SEARCH_PATH + "', false), "
        + "set_config('TimeZone', 'UTC', false), set_config('quote_all_identifiers', 'off', false), "
        + "case when current_setting('session_replication_role') <> 'origin' and (select rolsuper "
        + "from pg_catalog.pg_roles where rolname = current_user) "
        + "then set_config('session_replication_role', 'origin', false) end, "
        + "(select count(set_config(name, case name when 'client_connection_check_interval' "
        + "then '1s' else '0' end, false)) from pg_settings where name = 'client_connection_check_interval' "
        + "or name in ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', "
        + "'transaction_timeout', 'idle_session_timeout') and source <> 'client')";

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final AutoCloseable owned;
    private final List<ChannelListener> listeners = new CopyOnWriteArrayList<>();

    private Warehouse(HikariDataSource dataSource, AutoCloseable owned) {
        this.dataSource = dataSource;
        // Every query of the service asks the pool through what it knows of an outage: a request
        // that needs the warehouse while it is known to be away is refused at once, not after 3 s.
        KnownOutage outage = new KnownOutage(dataSource);
        this.jdbi = Jdbi.create(outage);
        this.jdbi.getConfig(SqlStatements.class).setSqlLogger(new SqlLogger() {
            @Override
            public void logException(StatementContext context, SQLException e) {
                outage.statementFailed(e);
            }
        });
        this.owned = owned;
    }

    /**
     * Connects to the warehouse at {@code jdbcUrl} and migrates it. {@code owned} is closed with
     * the warehouse (the embedded server, when this process runs one).
     */
    public static Warehouse connect(String jdbcUrl, String user, String password, AutoCloseable owned) {
        return connect(jdbcUrl, user, password, owned, StartSteps.unwatched());
    }

    /** As the one before, for a start: an exit while the migrations wait for their lock ends the wait (StartSteps). */
    public static Warehouse connect(String jdbcUrl, String user, String password, AutoCloseable owned,
                                    StartSteps steps) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("warehouse");
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(8);
        // Reads come from the in-memory snapshot: two connections in waiting are plenty, and the
        // six more are not opened (one process start each on the server) while the service starts.
        pool.setMinimumIdle(2);
        // A dead warehouse must fail a request within seconds, not hang it; connections are
        // validated before use, so the pool heals by itself when the warehouse is back.
        pool.setConnectionTimeout(3_000);
        pool.setValidationTimeout(1_000);
        pool.setKeepaliveTime(30_000);
        pool.addDataSourceProperty("connectTimeout", "3");
        // connectTimeout covers the TCP handshake only: a server that takes the connection and
        // never answers (DB_PORT naming Redis, say) held the pool's connecting thread for good,
        // and closing the pool logged a warning after waiting for it. The whole login is bounded,
        // within the pool's own 3 s, so that the driver's reason is the one the pool passes on.
        pool.addDataSourceProperty("loginTimeout", "2");
        pool.addDataSourceProperty("tcpKeepAlive", "true");
        pool.addDataSourceProperty("ApplicationName", "state-doses");
        // The refresh writes its run's row in one transaction and refers to it from another (the
        // product's rows name their run): a database or role whose default isolation is repeatable
        // read or serializable gave the second a snapshot from before the first committed, and
        // every refresh failed on the foreign key. Each transaction that wants a snapshot of its
        // own asks for it (the reads' REPEATABLE_READ); the rest is read committed, whatever the
        // warehouse's default_transaction_isolation.
        pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // If this process dies mid-statement (kill -9), the server learns it within a second and
        // rolls the refresh back, freeing its lock, instead of finishing work nobody will commit.
        // PostgreSQL 14 added the setting; the query sets nothing on older servers.
        // And the refresh's transaction waits on its sources (a COPY lasts as long as its body
        // takes to arrive, and between statements it waits for the next source's answer), within
        // SOURCE_TIMEOUT. A statement_timeout or idle_in_transaction_session_timeout (or, from
        // PostgreSQL 17, transaction_timeout) that the database, the role or the server's
        // configuration sets for its analysts' sessions ended every refresh of a slow source, a
        // 503 that trying again could not mend. The service's sessions run without them, unless
        // DB_PARAMS sets them (options=-c statement_timeout=...): the client's choice stands.
        // And the search_path is the service's, whatever the database, the role or DB_PARAMS set:
        // every statement of ours names its schemas, so a path can only change which function or
        // operator one means (an operator / in public that added 10% to every ratio, with the
        // database's path putting public before pg_catalog, passed every check), or which table a
        // staged table's name finds (a view named run_allocations in public, before pg_temp).
        // pg_catalog first, then this session's temporary tables; nothing of anyone else's.
        // And session_replication_role is origin where the login may set it (a superuser's; only a
        // superuser can set it on the database or a role either): under replica no trigger fires
        // and no foreign key is checked. A login that may not is named by SchemaCheck instead.
        // And the settings that change only how the server writes text are the service's too:
        // see SESSION_SETUP.
        pool.setConnectionInitSql(SESSION_SETUP);
        // The first connection is asked for below, not by the pool as it starts: the pool's own
        // failure is an ERROR line and a stack trace, where one line saying where and why is wanted.
        pool.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(pool);
        String encoding;
        int versionNum;
        String version;
        try (Connection first = dataSource.getConnection(); Statement s = first.createStatement()) {
            s.setQueryTimeout(3);
            try (ResultSet r = s.executeQuery("select current_setting('server_encoding'), "
                + "current_setting('server_version_num')::int, current_setting('server_version')")) {
                r.next();
                encoding = r.getString(1);
                versionNum = r.getInt(2);
                version = r.getString(3);
            }
        } catch (SQLException e) {
            dataSource.close();
            throw new WarehouseUnreachableException(WarehouseUnreachableException.reason(e), e);
        }
        Optional<String> unusable = tooOld(versionNum, version).or(() -> "UTF8".equals(encoding)
            ? Optional.empty() : Optional.of(notUtf8(encoding)));
        if (unusable.isPresent()) {
            dataSource.close();
            throw new WarehouseNotReadyException(unusable.get(), null);
        }
        try {
            Migrations.apply(dataSource, steps);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Warehouse(dataSource, owned);
    }

    /** The oldest PostgreSQL the service runs on: 13 added normalize(), which a source check calls. */
    static final int OLDEST_VERSION_NUM = 130000;

    /**
     * Why a server older than {@link #OLDEST_VERSION_NUM} is refused, before anything is written
     * to it: on PostgreSQL 12 every refresh failed (500, "column nfkd does not exist") once the
     * county file named a place beyond ASCII, as the real one does. 13, 14, 15, 16 and 17 load
     * the same product (PROGRESS.md, 2026-12-01).
     */
    static Optional<String> tooOld(int versionNum, String version) {
        if (versionNum >= OLDEST_VERSION_NUM) {
            return Optional.empty();
        }
        return Optional.of("it runs PostgreSQL " + Printable.shorten(version, 40) + ", and state-doses needs "
            + "PostgreSQL 13 or newer (a source check uses Unicode normalization, which 13 added)");
    }

    /**
     * Why a database in another encoding than UTF-8 is refused, before anything is written to it.
     * The sources are UTF-8 and name places no single-byte encoding holds all of; a LATIN1
     * database failed every refresh on a statement's text and then could not record why (its run
     * stayed 'running'), and SQL_ASCII, which stores bytes unread, leaves the checks that read
     * names letter by letter (a state written with a Cyrillic letter, a county's two Unicode
     * forms) comparing bytes.
     */
    static String notUtf8(String encoding) {
        return "its database is encoded " + encoding + ", and state-doses needs UTF8 (the sources are UTF-8 text). "
            + "Create a database for it with: create database <name> encoding 'UTF8' template template0 "
            + "(and locale 'C.UTF-8' where the server's own locale is not a UTF-8 one)";
    }

    /**
     * What a start that failed while preparing the warehouse {@code where} (bringing its schema up
     * to date, the reader's grants, closing runs left open) says, in one line: a
     * {@link WarehouseNotReadyException} naming the warehouse, what it said and, for a condition
     * of its own, which (a read-only server: SQLSTATE 25006). Left as it is: a failure that is not
     * the warehouse's (a fault of ours keeps its stack trace), and one that already says where.
     */
    public static RuntimeException explainStart(String where, RuntimeException e) {
        if (e instanceof WarehouseNotReadyException) {
            return new WarehouseNotReadyException("cannot use the warehouse " + where + ": " + e.getMessage(), e);
        }
        if (e instanceof WarehouseStartException
            || failures(e).noneMatch(t -> t instanceof SQLException || t instanceof FlywayException)) {
            return e;
        }
        String why = unreachable(e) ? "; the connection to it was lost"
            : stopped(e).map(condition -> ": " + condition).orElse("");
        return new WarehouseNotReadyException("cannot prepare the warehouse " + where + ": "
            + WarehouseUnreachableException.reason(e) + why, e);
    }

    /**
     * Runs {@code onChange} whenever a refresh (of any process) commits a new product, and once
     * whenever the listening connection is (re)established. Stops when the warehouse closes.
     */
    public void onProductChange(Consumer<String> onChange) {
        Properties credentials = new Properties();
        credentials.setProperty("user", dataSource.getUsername());
        credentials.setProperty("password", dataSource.getPassword() == null ? "" : dataSource.getPassword());
        credentials.setProperty("connectTimeout", "3");
        credentials.setProperty("loginTimeout", "3");
        credentials.setProperty("tcpKeepAlive", "true");
        credentials.setProperty("ApplicationName", "state-doses listener");
        listeners.add(new ChannelListener(dataSource.getJdbcUrl(), credentials, PRODUCT_CHANNEL, onChange));
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * The caller's shutdown hook stops the warehouse from now on: an embedded server stops with
     * the JVM only until then (EmbeddedWarehouse.handOver), so that a signal during the start
     * leaves none running.
     */
    public void handOverShutdown() {
        if (owned instanceof EmbeddedWarehouse embedded) {
            embedded.handOver();
        }
    }

    /** SQLSTATEs of a missing table, column, function, object or schema: 42P01, 42703, 42883, 42704, 3F000. */
    private static final Set<String> MISSING_OBJECT = Set.of("42P01", "42703", "42883", "42704", "3F000");

    /**
     * Whether {@code failure} is the warehouse being out of reach (not reached at start, the pool's
     * timeout, a refused or dropped connection, a server shutting down, a session an administrator
     * ended), anywhere in its causes or what they suppressed (a rollback that failed after the
     * connection went is thrown with the reason it went suppressed): an outage, not a fault of
     * the request or of the service.
     */
    public static boolean unreachable(Throwable failure) {
        return failures(failure).anyMatch(t -> t instanceof WarehouseUnreachableException
            || t instanceof ConnectionException || t instanceof SQLTransientConnectionException
            // 08: connection exceptions; 57P01-57P03: the session ended, the server crashed or is starting.
            || t instanceof SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0")));
    }

    /**
     * Why the warehouse stopped the work, when it did for a reason of its own: a statement an
     * administrator cancelled or a timeout ended, a lock it did not grant in time, a deadlock,
     * a disk or memory it lacked, a read-only server. In words for a client, naming the SQLSTATE;
     * empty for any other failure. Like an outage, it is the warehouse's condition, which may
     * pass, not a fault of the request, of the sources or of the service.
     */
    public static Optional<String> stopped(Throwable failure) {
        return failures(failure).map(Warehouse::stoppedBecause).flatMap(Optional::stream).findFirst();
    }

    /**
     * The warehouse's words when {@code failure} is a statement that found a table, column,
     * function or schema missing ({@link #MISSING_OBJECT}): the warehouse answers, but no longer
     * has what the migrations made (dropped by hand, or the database created again under the
     * running service). Empty for any other failure.
     */
    public static Optional<String> missing(Throwable failure) {
        return missingObjects(failure).map(Warehouse::serverWords).findFirst();
    }

    /** The SQL exceptions among {@code failure}'s that found an object missing ({@link #MISSING_OBJECT}). */
    private static Stream<SQLException> missingObjects(Throwable failure) {
        return failures(failure)
            // Set.of's contains refuses null, which a driver's own SQLException may carry.
            .filter(t -> t instanceof SQLException sql && sql.getSQLState() != null
                && MISSING_OBJECT.contains(sql.getSQLState()))
            .map(SQLException.class::cast);
    }

    /**
     * Why a warehouse that answers refused the service's connection, once the service ran: its
     * database gone (dropped or renamed under it, SQLSTATE 3D000) or its login refused (28P01,
     * 28000). In words naming the SQLSTATE; empty otherwise. Said "does not answer", it sent the
     * operator to the network while PostgreSQL said what was wrong. (At start, the same refusals
     * are told with the settings to check: DB_HOST, POSTGRES_DB, the login.)
     */
    public static Optional<String> refusedConnection(Throwable failure) {
        return failures(failure)
            .filter(t -> t instanceof SQLException sql && sql.getSQLState() != null)
            .map(t -> ((SQLException) t).getSQLState())
            .map(state -> switch (state) {
                case "3D000" -> "it has no database of the name the service was given (dropped, or renamed?) "
                    + "(SQLSTATE 3D000)";
                case "28P01", "28000" -> "it refused the service's login (its password, or pg_hba.conf) (SQLSTATE "
                    + state + ")";
                default -> "";
            })
            .filter(why -> !why.isEmpty())
            .findFirst();
    }

    /**
     * Where the missing object of {@code failure} ({@link #missing}) was met, when it was met in
     * code the warehouse ran inside a statement (a trigger's or an event trigger's function:
     * {@code PL/pgSQL function audit_ddl() line 1 at SQL statement}), not in the statement itself.
     * Such code runs in the service's session, whose search_path is pg_catalog and pg_temp, and
     * an analyst's unqualified table name in it is missing there alone.
     */
    public static Optional<String> missingWhere(Throwable failure) {
        return missingObjects(failure)
            .filter(sql -> sql instanceof PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getWhere() != null && !psql.getServerErrorMessage().getWhere().isBlank())
            .map(sql -> ((PSQLException) sql).getServerErrorMessage().getWhere().strip().replaceAll("\\s*\\n\\s*", "; "))
            .findFirst();
    }

    /**
     * The warehouse's own words for {@code failure}: the server's message of the innermost SQL
     * exception among its causes ({@code no sources today}), or the driver's (a connection refused);
     * empty when no SQL exception is among them.
     */
    public static Optional<String> said(Throwable failure) {
        String said = null;
        Throwable t = failure;
        // Bounded: a chain of causes may loop.
        for (int depth = 0; t != null && depth < 100; depth++, t = t.getCause()) {
            if (t instanceof SQLException && t.getMessage() != null) {
                said = serverWords(t);
            }
        }
        return Optional.ofNullable(said);
    }

    /** The server's own message ({@code column "error" does not exist}), without the driver's hint and position. */
    private static String serverWords(Throwable t) {
        return t instanceof PSQLException psql && psql.getServerErrorMessage() != null
            && psql.getServerErrorMessage().getMessage() != null ? psql.getServerErrorMessage().getMessage()
            : t.getMessage();
    }

    private static Optional<String> stoppedBecause(Throwable t) {
        if (!(t instanceof SQLException sql) || sql.getSQLState() == null) {
            return Optional.empty();
        }
        String state = sql.getSQLState();
        String why = switch (state) {
            case "57014" -> "a statement was cancelled (by an administrator, or statement_timeout)";
            case "55P03" -> "a lock was not granted in time (lock_timeout)";
            case "40P01" -> "a deadlock with another session";
            case "40001" -> "a conflict with another session's transaction (serialization failure)";
            case "25006" -> "the warehouse takes no writes (a standby, or default_transaction_read_only)";
            case "25P03" -> "the session stayed in a transaction longer than idle_in_transaction_session_timeout";
            case "53100" -> "the warehouse's disk is full";
            case "53200" -> "the warehouse is out of memory";
            case "53300" -> "the warehouse has too many connections";
            default -> state.startsWith("53") ? "the warehouse lacks a resource"
                : state.startsWith("58") ? "the warehouse had a system error (input/output)" : null;
        };
        return Optional.ofNullable(why).map(w -> w + " (SQLSTATE " + state + ")");
    }

    /** {@code failure}, its causes, and what each suppressed, nearest first, each once (a cycle ends). */
    static Stream<Throwable> failures(Throwable failure) {
        return Failures.chain(failure);
    }

    /**
     * The sessions of this database (but the caller's) holding a lock on any of {@code tables}
     * that a read or a write may wait for, named by pid, login and application as a start's lock
     * waits name them (ChangeLock.describe).
     */
    public String describeLockHolders(String... tables) {
        return ChangeLock.describe(Arrays.stream(tables)
            .flatMap(table -> ChangeLock.holders(dataSource, null, table).stream()).distinct().toList());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        listeners.forEach(ChannelListener::close);
        dataSource.close();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close " + owned, e);
            }
        }
    }
}
