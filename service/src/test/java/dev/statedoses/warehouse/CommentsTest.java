package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.MigratedDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The warehouse explains itself to analysts (psql's \d+, BI tools' schema browsers): every
 * schema, table, view and column of raw and dwh has a comment (pg_description), on a warehouse the
 * migrations just built.
 */
class CommentsTest {

    @RegisterExtension
    static final MigratedDatabase database = new MigratedDatabase();

    @Test
    void everyColumnOfEveryTableAndViewHasAComment() {
        // Tables, views, materialized views, partitioned and foreign tables: whatever psql lists.
        List<String> uncommented = database.jdbi().withHandle(h -> h.createQuery("""
                select n.nspname || '.' || c.relname || '.' || a.attname
                from pg_class c
                join pg_namespace n on n.oid = c.relnamespace
                join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass
                                          and d.objsubid = a.attnum
                where n.nspname in ('raw', 'dwh') and c.relkind in ('r', 'v', 'm', 'p', 'f')
                  and coalesce(trim(d.description), '') = ''
                order by 1""")
            .mapTo(String.class).list());
        assertEquals(List.of(), uncommented, "columns without a comment (COMMENT ON COLUMN in a migration)");
        int columns = database.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from information_schema.columns where table_schema in ('raw', 'dwh')""")
            .mapTo(Integer.class).one());
        assertTrue(columns >= 86, "the query saw the warehouse's columns: " + columns);
    }

    @Test
    void everyTableViewAndSchemaHasAComment() {
        List<String> uncommented = database.jdbi().withHandle(h -> h.createQuery("""
                select n.nspname || '.' || c.relname
                from pg_class c
                join pg_namespace n on n.oid = c.relnamespace
                where n.nspname in ('raw', 'dwh') and c.relkind in ('r', 'v', 'm', 'p', 'f')
                  and coalesce(trim(obj_description(c.oid, 'pg_class')), '') = ''
                union all
                select nspname from pg_namespace
                where nspname in ('raw', 'dwh') and coalesce(trim(obj_description(oid, 'pg_namespace')), '') = ''
                order by 1""")
            .mapTo(String.class).list());
        assertEquals(List.of(), uncommented, "tables, views or schemas without a comment");
    }

    @Test
    void aCommentSaysHowTheValueIsMadeAndWhereItCameFrom() {
        String ratio = database.jdbi().withHandle(h -> h.createQuery(
                "select col_description('dwh.state_doses'::regclass, 7)").mapTo(String.class).one());
        String line = database.jdbi().withHandle(h -> h.createQuery(
                "select col_description('raw.cdc_pfizer_allocations'::regclass, 2)").mapTo(String.class).one());
        assertEquals("population / doses_total, rounded half-up to 4 decimals; null when the state has no doses.",
            ratio);
        assertEquals("The line of the source file the row starts on (1 is the header, so data starts at 2).",
            line);
    }
}
