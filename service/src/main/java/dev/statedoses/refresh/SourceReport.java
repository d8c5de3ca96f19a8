package dev.statedoses.refresh;

/** What one source delivered to a refresh: where from, how much, and the hash of the exact bytes. */
public record SourceReport(String source, String url, long bytes, long rows, String sha256, long fetchMs) {
}
