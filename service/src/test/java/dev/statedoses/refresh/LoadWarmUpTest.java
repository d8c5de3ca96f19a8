package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.source.Allocation;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulation;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.SourceStream;
import dev.statedoses.source.UnivocityCsv;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's generated sources must stay what a real load accepts: if a new check rejected
 * them, the warm-up would stop at its first row (and only log it), and the first refresh after a
 * start would be cold again without anyone noticing.
 */
class LoadWarmUpTest {

    private final UnivocityCsv csv = new UnivocityCsv();

    @Test
    void aRoundLoadsEveryGeneratedRowOfTheThreeSources() {
        LoadWarmUp warmUp = new LoadWarmUp(new AllocationCsv(csv), new CountyPopulationCsv(csv));
        // 63 jurisdictions x 28 weeks in each allocation file, and 3,220 counties.
        assertEquals(2 * 63 * 28 + 3_220, warmUp.round());
        assertEquals(6_748, warmUp.round(), "a second round loads the same rows");
    }

    @Test
    void aRoundFetchedAsARefreshFetchesLoadsTheSameRows() {
        // Each body served from a loopback server of the fetcher's own and fetched through it, as
        // the service's warm-up does (RefreshService#loadWarmUp): the parsing then runs on the
        // streams a refresh's runs on.
        try (SourceFetcher fetcher = new SourceFetcher(Duration.ofSeconds(10), 1 << 24, "test")) {
            LoadWarmUp warmUp = new LoadWarmUp(new AllocationCsv(csv), new CountyPopulationCsv(csv), fetcher::readServed);
            assertEquals(2 * 63 * 28 + 3_220, warmUp.round());
            assertEquals(6_748, warmUp.round());
        }
    }

    @Test
    void theGeneratedAllocationsAreMondaysWithTheCountsWritten() {
        List<Allocation> rows = new ArrayList<>();
        new AllocationCsv(csv).read(stream(LoadWarmUp.allocations(1), SourceName.PFIZER), rows::add);
        assertEquals(63 * 28, rows.size());
        // Line 2: jurisdiction 1, week 0: (1 x 7,919 + 0 + 1 x 31) % 400,000 = 7,950 first doses,
        // and as many second doses (week 0 is a multiple of 3).
        assertEquals(new Allocation(2, "Jurisdiction 1", LocalDate.of(2020, 12, 14), 7_950, 7_950), rows.get(0));
        // Line 65: jurisdiction 1, week 1: 7,919 + 104,729 + 31 = 112,679; week 1 has no second doses.
        assertEquals(new Allocation(65, "Jurisdiction 1", LocalDate.of(2020, 12, 21), 112_679, 0), rows.get(63));
        assertEquals(LocalDate.of(2021, 6, 21), rows.get(rows.size() - 1).week());
        rows.forEach(row -> assertEquals(DayOfWeek.MONDAY, row.week().getDayOfWeek(), row.toString()));
    }

    @Test
    void theGeneratedCountiesSpreadOverFiftyOneStates() {
        List<CountyPopulation> rows = new ArrayList<>();
        new CountyPopulationCsv(csv).read(stream(LoadWarmUp.counties(), SourceName.POPULATION), rows::add);
        assertEquals(3_220, rows.size());
        // County 1: 15,485,863 % 2,000,000 + 100 = 1,485,963 people, in state 1 % 51 = 1.
        assertEquals(new CountyPopulation(2, "0500000US00001", "00001", "County 1", "State 1", 1_485_963), rows.get(0));
        assertEquals(51, rows.stream().map(CountyPopulation::state).distinct().count());
        // County 40 and every fortieth: a name beyond ASCII, as the real file's municipios have.
        assertEquals("Añasco 40", rows.get(39).county());
        assertEquals(3_220 / 40, rows.stream().filter(row -> row.county().startsWith("Añasco ")).count());
    }

    private static SourceStream stream(byte[] body, SourceName source) {
        return SourceStream.of(body, source, URI.create("warm-up:" + source.label()));
    }
}
