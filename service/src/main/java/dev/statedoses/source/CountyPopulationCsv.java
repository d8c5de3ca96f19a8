package dev.statedoses.source;

import java.util.function.Consumer;

/** Reads the county population estimates ({@code Id,Id2,County,State,Population Estimate 2018}). */
public final class CountyPopulationCsv {

    static final String ID = "Id";
    static final String ID2 = "Id2";
    static final String COUNTY = "County";
    static final String STATE = "State";
    static final String POPULATION = "Population Estimate 2018";

    private final CsvFormat csv;

    public CountyPopulationCsv(CsvFormat csv) {
        this.csv = csv;
    }

    /** Streams every row of {@code body} to {@code sink}; returns the number of rows. */
    public long read(SourceStream body, Consumer<CountyPopulation> sink) {
        long rows = 0;
        try (SourceTable table = SourceTable.open(body, csv, COUNTY, STATE, POPULATION)) {
            boolean hasIds = table.has(ID) && table.has(ID2);
            int id = hasIds ? table.column(ID) : -1;
            int id2 = hasIds ? table.column(ID2) : -1;
            int county = table.column(COUNTY);
            int state = table.column(STATE);
            int population = table.column(POPULATION);
            for (SourceTable.Row row = table.next(); row != null; row = table.next()) {
                sink.accept(new CountyPopulation(
                    row.line(),
                    hasIds ? row.read(id, SourceValues::text) : null,
                    hasIds ? row.read(id2, SourceValues::text) : null,
                    row.read(county, SourceValues::name),
                    row.read(state, SourceValues::name),
                    row.read(population, SourceValues::count)));
                rows++;
            }
            if (rows == 0) {
                throw table.error(null, null, "the header is there but no data rows follow");
            }
        }
        return rows;
    }
}
