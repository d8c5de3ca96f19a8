package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.UnivocityCsv;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.cache.internal.DefaultJdbiCacheStats;
import org.jdbi.v3.core.statement.CachingSqlParser;
import org.jdbi.v3.core.statement.SqlStatements;
import org.junit.jupiter.api.Test;

/**
 * What the warm-up sets up for the first refresh ({@link RefreshService#prepare}): every statement
 * the refresh has JDBI parse is parsed and cached ahead, and none of it needs the warehouse.
 */
class RefreshPrepareTest {

    @Test
    void everyStatementIsParsedAheadWithoutTheWarehouse() throws Exception {
        // Port 1 (tcpmux), where nothing listens: preparing must not connect (it runs while the
        // warehouse may be away), nor fetch a source.
        Jdbi jdbi = Jdbi.create("jdbc:postgresql://127.0.0.1:1/none");
        UnivocityCsv csv = new UnivocityCsv();
        URI nowhere = URI.create("http://127.0.0.1:1/source.csv");
        try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(5), 1 << 20, "test")) {
            RefreshService refreshes = new RefreshService(jdbi, fetcher, new AllocationCsv(csv),
                new CountyPopulationCsv(csv),
                Map.of(SourceName.MODERNA, nowhere, SourceName.PFIZER, nowhere, SourceName.POPULATION, nowhere),
                Clock.systemUTC());
            assertEquals(0, parsed(jdbi), "nothing parsed before");

            refreshes.prepare();

            Set<String> statements = new HashSet<>(Checks.statements());
            statements.addAll(RefreshRuns.statements());
            // 5 checks that run alone and 5 run records, each parsed once; and the refresh lock.
            assertEquals(10, statements.size());
            assertEquals(11, parsed(jdbi));
            // Parsing them again (as the first refresh does) adds nothing: each was cached.
            statements.forEach(sql -> jdbi.getConfig(SqlStatements.class).getSqlParser().parse(sql, null));
            assertEquals(11, parsed(jdbi));
        }
    }

    private static int parsed(Jdbi jdbi) {
        // The default parser (ColonPrefixSqlParser) caches what it parsed.
        CachingSqlParser parser = (CachingSqlParser) jdbi.getConfig(SqlStatements.class).getSqlParser();
        DefaultJdbiCacheStats stats = parser.cacheStats();
        return stats.cacheSize();
    }
}
