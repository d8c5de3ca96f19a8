package dev.statedoses.warehouse;

import dev.statedoses.util.Resources;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/** SQL lives in resource files under {@code sql/}, where it can be read and run by hand. */
public final class Sql {

    private Sql() {
    }

    public static String load(String name) {
        String path = "/sql/" + name;
        return Resources.find(path).map(bytes -> new String(bytes, StandardCharsets.UTF_8))
            .orElseThrow(() -> new IllegalStateException("missing SQL resource " + path));
    }

    /**
     * Parses {@code statements} as JDBI does at their first use (the template, then the named
     * parameters), without running them: the parsed SQL is cached, and the parsers' lexers are
     * compiled. Cold, that took 20 to 40 ms a statement, most of a first refresh's checks.
     */
    public static void prepare(Jdbi jdbi, Collection<String> statements) {
        SqlStatements config = jdbi.getConfig(SqlStatements.class);
        for (String sql : statements) {
            config.getTemplateEngine().parse(sql, jdbi.getConfig());
            config.getSqlParser().parse(sql, null);
        }
    }
}
