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
            for (SourceTable.Row row = table.next(); row != null; row = table.next()) {
                sink.accept(new CountyPopulation(
                    row.line(),
                    hasIds ? row.text(ID) : null,
                    hasIds ? row.text(ID2) : null,
                    row.read(COUNTY, SourceValues::name),
                    row.read(STATE, SourceValues::name),
                    row.read(POPULATION, SourceValues::count)));
                rows++;
            }
            if (rows == 0) {
                throw table.error(null, null, "the header is there but no data rows follow");
            }
        }
        return rows;
    }
}
