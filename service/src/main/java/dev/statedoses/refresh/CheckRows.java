package dev.statedoses.refresh;

import dev.statedoses.warehouse.WarehouseException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of the source checks' queries, for {@link Checks#sources}. {@link #ahead} sends the
 * queries every refresh runs in one round trip, and each check then reads its rows from here; a
 * query that was not sent ahead (one a check runs only when something looks wrong) runs when a
 * check asks for it. The server runs the queries one after another either way: what goes is a
 * round trip, a parse and a JDBI mapping per check (about 15 ms of the 40 the checks took).
 *
 * <p>The checks still decide in their order, the first that fails failing the refresh, so a
 * refresh reports what it reported when each query ran in turn, with one exception handled here:
 * a query that fails (a value a later check's SQL cannot take, which an earlier check would have
 * reported first) ends the batch. Its work is then undone to a savepoint, and every check runs
 * its own query in turn, as before: the earlier check reports, or the same query fails again, in
 * its place. A cancelled statement (the service stopping) is not retried.
 */
final class CheckRows {

    private static final Logger LOG = LoggerFactory.getLogger(CheckRows.class);
    private static final String SAVEPOINT = "checks_ahead";
    /** query_canceled: a statement shutdown cancelled (RefreshService#shutdown) ends the refresh. */
    private static final String CANCELLED = "57014";

    /** How a check reads one row of its query. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** A check's query, and how its rows are read. Told apart by identity: one instance per check. */
    record Query<T>(String sql, Reader<T> reader) {
    }

    private final Handle tx;
    private final Map<Query<?>, List<?>> ahead;

    private CheckRows(Handle tx, Map<Query<?>, List<?>> ahead) {
        this.tx = tx;
        this.ahead = ahead;
    }

    /**
     * Runs {@code queries} in one round trip, inside the refresh's transaction, and keeps their
     * rows; if one of them fails, none is kept (see above) and each runs when a check asks.
     */
    static CheckRows ahead(Handle tx, List<Query<?>> queries) {
        String script = "savepoint " + SAVEPOINT + ";\n"
            + queries.stream().map(q -> q.sql().strip()).map(q -> q.endsWith(";") ? q : q + ";")
                .collect(Collectors.joining("\n"))
            + "\nrelease savepoint " + SAVEPOINT;
        Map<Query<?>, List<?>> rows = new IdentityHashMap<>();
        try (Statement statement = tx.getConnection().createStatement()) {
            int next = 0;
            for (boolean results = statement.execute(script); results || statement.getUpdateCount() != -1;
                 results = statement.getMoreResults()) {
                if (results) {
                    Query<?> query = queries.get(next++);
                    try (ResultSet rs = statement.getResultSet()) {
                        rows.put(query, read(query, rs));
                    }
                }
            }
            if (next != queries.size()) {
                throw new IllegalStateException(queries.size() + " queries sent ahead, " + next + " answered");
            }
            return new CheckRows(tx, rows);
        } catch (SQLException e) {
            if (CANCELLED.equals(e.getSQLState())) {
                throw new WarehouseException("checking the sources failed", e);
            }
            undo(tx, e);
            LOG.debug("the source checks' queries failed together ({}): each runs in turn", e.getMessage());
            return new CheckRows(tx, Map.of());
        }
    }

    /** Back to before the batch, so that the transaction goes on; if even that fails, the refresh does. */
    private static void undo(Handle tx, SQLException cause) {
        try (Statement statement = tx.getConnection().createStatement()) {
            statement.execute("rollback to savepoint " + SAVEPOINT + "; release savepoint " + SAVEPOINT);
        } catch (SQLException e) {
            // What made the batch fail says why (the session ended, the statement was cancelled):
            // the undo's own failure ("Connection is closed") only follows from it.
            cause.addSuppressed(e);
            throw new WarehouseException("checking the sources failed", cause);
        }
    }

    private static <T> List<T> read(Query<T> query, ResultSet rs) throws SQLException {
        List<T> read = new ArrayList<>();
        while (rs.next()) {
            read.add(query.reader().read(rs));
        }
        return read;
    }

    /** Every row of {@code query}: those read ahead, or from the query run now. */
    @SuppressWarnings("unchecked") // put by ahead() with the rows its own reader read
    <T> List<T> list(Query<T> query) {
        List<?> read = ahead.get(query);
        if (read != null) {
            return (List<T>) read;
        }
        return tx.createQuery(query.sql()).map((rs, ctx) -> query.reader().read(rs)).list();
    }

    /** The first row of {@code query}, if any. */
    <T> Optional<T> first(Query<T> query) {
        return list(query).stream().findFirst();
    }

    /** Whether the queries were read ahead (false when one failed and each runs in turn). */
    boolean readAhead() {
        return !ahead.isEmpty();
    }
}
