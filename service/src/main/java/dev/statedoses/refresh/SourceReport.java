package dev.statedoses.refresh;

/** What one source delivered to a refresh: where from, how much, the hash of the exact bytes, and the time to fetch, read and load it. */
public record SourceReport(String source, String url, long bytes, long rows, String sha256, long loadMs) {
}
