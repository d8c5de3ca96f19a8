package dev.statedoses.refresh;

import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.SourceStream;
import dev.statedoses.warehouse.CopyWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A refresh's own Java work on generated sources: each body fetched, read, parsed, checked value
 * by value and encoded for COPY, by the same code as a real load ({@link RawTables#write}), with
 * the COPY bytes thrown away. No warehouse; in the service, each body is fetched over HTTP from a
 * server of our own on the loopback interface ({@link Served}), no other host.
 *
 * <p>Why: a refresh is rare, so the first one after a start found that code interpreted and paid
 * for the JIT compiling it on the same two cores as the warehouse (a cold refresh took about twice
 * a warm one). Run while the service is idle, it is compiled before the first refresh needs it.
 * The rows are made up in the shape of the real files (their header names, ISO weeks, counts,
 * county names with letters beyond ASCII), as many as the real files hold, so the same paths run
 * as often. Each body is fetched as a refresh fetches its sources, so that the parsing runs on
 * the streams a refresh's runs on; a profile of the first refresh after a start still found the
 * JIT compiling the per-row code again during it (some 200 ms of a core), for the real COPY
 * writer and the real files' values, which the rehearsal after the rounds ({@link Rehearsal})
 * now runs.
 */
public final class LoadWarmUp {

    /** The real files' size: about 63 jurisdictions over 27 weeks, and 3,220 counties. */
    static final int JURISDICTIONS = 63;
    public static final int WEEKS = 28;
    static final int COUNTIES = 3_220;
    private static final LocalDate FIRST_WEEK = LocalDate.of(2020, 12, 14);

    /**
     * How a round gets each body to parse: in the service as a refresh does, fetched over HTTP
     * from a loopback server of our own ({@code SourceFetcher#readServed}); or from memory
     * ({@link #IN_MEMORY}). Answers what {@code parse} answers.
     */
    @FunctionalInterface
    public interface Served {
        long read(SourceName source, byte[] body, ToLongFunction<SourceStream> parse);
    }

    /** Each body read from memory, not fetched. */
    private static final Served IN_MEMORY = (source, body, parse) ->
        parse.applyAsLong(SourceStream.of(body, source, URI.create("warm-up:" + source.label())));

    private final RawTables tables;
    private final Served served;
    private final Map<SourceName, byte[]> bodies = new EnumMap<>(SourceName.class);

    /** Parsing each body from memory ({@link #IN_MEMORY}). */
    public LoadWarmUp(AllocationCsv allocations, CountyPopulationCsv counties) {
        this(allocations, counties, IN_MEMORY);
    }

    public LoadWarmUp(AllocationCsv allocations, CountyPopulationCsv counties, Served served) {
        this.tables = new RawTables(allocations, counties);
        this.served = served;
        bodies.put(SourceName.MODERNA, allocations(0));
        bodies.put(SourceName.PFIZER, allocations(1));
        bodies.put(SourceName.POPULATION, counties());
    }

    /** One round: every generated source loaded but for the COPY; answers the rows encoded. */
    public long round() {
        long rows = 0;
        for (Map.Entry<SourceName, byte[]> body : bodies.entrySet()) {
            SourceName source = body.getKey();
            rows += served.read(source, body.getValue(), stream -> {
                try (CopyWriter copy = CopyWriter.discarding()) {
                    long written = tables.write(copy, 0, source, stream);
                    copy.finish();
                    return written;
                }
            });
        }
        return rows;
    }

    /** An allocation file as the CDC API writes it: quoted values, weeks with a time. */
    static byte[] allocations(int variant) {
        StringBuilder csv = new StringBuilder(
            "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n");
        for (int week = 0; week < WEEKS; week++) {
            LocalDate monday = FIRST_WEEK.plusWeeks(week);
            for (int j = 1; j <= JURISDICTIONS; j++) {
                long doses = (j * 7_919L + week * 104_729L + variant * 31L) % 400_000;
                csv.append("\"Jurisdiction ").append(j).append("\",\"").append(monday).append("T00:00:00.000\",\"")
                    .append(doses).append("\",\"").append(week % 3 == 0 ? doses : 0).append("\"\n");
            }
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A county file as the lake holds it: unquoted, five columns, in UTF-8. */
    static byte[] counties() {
        StringBuilder csv = new StringBuilder("Id,Id2,County,State,Population Estimate 2018\n");
        for (int c = 1; c <= COUNTIES; c++) {
            String fips = String.format(Locale.ROOT, "%05d", c);
            // One in forty named as Puerto Rico's municipios are, beyond ASCII (Añasco): the real
            // file has 80 such, and their UTF-8 takes the decoder's other path.
            csv.append("0500000US").append(fips).append(',').append(fips).append(c % 40 == 0 ? ",Añasco " : ",County ")
                .append(c)
                .append(",State ").append(c % 51).append(',').append((c * 15_485_863L) % 2_000_000 + 100).append('\n');
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }
}
