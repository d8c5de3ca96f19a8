package dev.statedoses.refresh;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The outcome of one data check of a refresh (sql/checks/*.sql): {@code status} is pass, warn or
 * fail; a fail rolls the refresh back. {@code detail} says what was found, with the numbers.
 */
public record CheckResult(String name, String status, String detail) {

    public static final String PASS = "pass";
    public static final String FAIL = "fail";

    public boolean failed() {
        return FAIL.equals(status);
    }

    /** A row of (name, status, detail): as a check file answers it, and as dwh.refresh_checks keeps it. */
    static CheckResult read(ResultSet rs) throws SQLException {
        return new CheckResult(rs.getString("name"), rs.getString("status"), rs.getString("detail"));
    }
}
