package dev.statedoses.source;

import java.util.function.Consumer;

/**
 * Reads a CDC weekly allocation file (Moderna or Pfizer: the same columns). Columns are found by
 * header name; the CDC export's spelling ("1st Dose Allocations") matches the API's
 * ("_1st_dose_allocations") because headers compare without case and punctuation.
 */
public final class AllocationCsv {

    static final String JURISDICTION = "jurisdiction";
    static final String WEEK = "week_of_allocations";
    static final String FIRST_DOSES = "_1st_dose_allocations";
    static final String SECOND_DOSES = "_2nd_dose_allocations";

    private final CsvFormat csv;

    public AllocationCsv(CsvFormat csv) {
        this.csv = csv;
    }

    /** Streams every row of {@code body} to {@code sink}; returns the number of rows. */
    public long read(SourceStream body, Consumer<Allocation> sink) {
        try (SourceTable table = SourceTable.open(body, csv, JURISDICTION, WEEK, FIRST_DOSES, SECOND_DOSES)) {
            int jurisdiction = table.column(JURISDICTION);
            int week = table.column(WEEK);
            int firstDoses = table.column(FIRST_DOSES);
            int secondDoses = table.column(SECOND_DOSES);
            return table.forEachRow(row -> new Allocation(
                row.line(),
                row.read(jurisdiction, SourceValues::name),
                row.read(week, SourceValues::week),
                row.read(firstDoses, SourceValues::count),
                row.read(secondDoses, SourceValues::count)), sink);
        }
    }
}
