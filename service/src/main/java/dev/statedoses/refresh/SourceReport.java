package dev.statedoses.refresh;

import java.time.LocalDate;

/**
 * What one source delivered to a refresh: where from, how much, the hash of the exact bytes (as
 * a file: decoded, if it came compressed), the time to fetch, read and load it, how many times it
 * was asked for ({@code attempts}: more than 1 after a transient fault of the upstream), and the
 * weeks of allocations it covers ({@code firstWeek}, {@code lastWeek}, {@code weeks} distinct
 * weeks; null for the population source).
 */
public record SourceReport(String source, String url, long bytes, long rows, String sha256, long loadMs,
                           int attempts, LocalDate firstWeek, LocalDate lastWeek, Integer weeks) {
}
