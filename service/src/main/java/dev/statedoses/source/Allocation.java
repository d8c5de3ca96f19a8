package dev.statedoses.source;

import java.time.LocalDate;

/** One line of a CDC allocation file: doses allocated to a jurisdiction in the week starting {@code week}. */
public record Allocation(long line, String jurisdiction, LocalDate week, long firstDoses, long secondDoses) {
}
