package dev.statedoses.refresh;

import java.time.LocalDate;

/**
 * What one source delivered to a refresh: where from, how much, the hash of the exact bytes, the
 * time to fetch, read and load it, and the weeks of allocations it covers ({@code firstWeek},
 * {@code lastWeek}, {@code weeks} distinct weeks; null for the population source).
 */
public record SourceReport(String source, String url, long bytes, long rows, String sha256, long loadMs,
                           LocalDate firstWeek, LocalDate lastWeek, Integer weeks) {
}
