package dev.statedoses.source;

import java.util.List;
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
        try (SourceTable table = SourceTable.open(body, csv, List.of(ID, ID2), COUNTY, STATE, POPULATION)) {
            // Each id is optional on its own: the county check reads whichever the file has
            // (sql/checks/sources/counties_counted_twice.sql).
            int id = table.has(ID) ? table.column(ID) : -1;
            int id2 = table.has(ID2) ? table.column(ID2) : -1;
            int county = table.column(COUNTY);
            int state = table.column(STATE);
            int population = table.column(POPULATION);
            return table.forEachRow(row -> new CountyPopulation(
                row.line(),
                id >= 0 ? row.read(id, SourceValues::text) : null,
                id2 >= 0 ? row.read(id2, SourceValues::text) : null,
                row.read(county, SourceValues::name),
                row.read(state, SourceValues::name),
                row.read(population, SourceValues::count)), sink);
        }
    }
}
