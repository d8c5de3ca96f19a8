package db.migration;

import dev.statedoses.text.Redaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Hides the secrets that runs recorded before source URLs were redacted on the way in still keep:
 * their sources' URLs and their errors, which anyone with the read-only login can read. Redacted
 * by {@link Redaction}, the one rule the service applies to every URL it stores now, so once this
 * has run there is nothing left to hide: a migration, run once, rather than a pass over the whole
 * run log at every start (with pre-signed URLs, every row of it).
 */
public class V17__redact_stored_source_urls extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(
                 "select run_id, source, url from dwh.refresh_run_sources where url ~ '[@?#]'");
             PreparedStatement update = c.prepareStatement(
                 "update dwh.refresh_run_sources set url = ? where run_id = ? and source = ?")) {
            while (rows.next()) {
                String url = rows.getString("url");
                String shown = Redaction.url(url);
                if (!shown.equals(url)) {
                    update.setString(1, shown);
                    update.setLong(2, rows.getLong("run_id"));
                    update.setString(3, rows.getString("source"));
                    update.executeUpdate();
                }
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("select run_id, error from dwh.refresh_runs where error like '%://%'");
             PreparedStatement update = c.prepareStatement("update dwh.refresh_runs set error = ? where run_id = ?")) {
            while (rows.next()) {
                String error = rows.getString("error");
                String shown = Redaction.inText(error);
                if (!shown.equals(error)) {
                    update.setString(1, shown);
                    update.setLong(2, rows.getLong("run_id"));
                    update.executeUpdate();
                }
            }
        }
    }
}
