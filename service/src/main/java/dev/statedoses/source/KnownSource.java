package dev.statedoses.source;

/**
 * What the last good refresh saw of a source at the same URL (a pre-signed one may have been
 * signed again since: {@code Redaction.sameSource}): the hash of its bytes and the validators its
 * upstream sent ({@code ETag}, {@code Last-Modified}; null when it sent none). A fetch sends the
 * validators back (If-None-Match, If-Modified-Since), so an upstream whose source has not changed
 * can answer 304 without a body.
 */
public record KnownSource(String sha256, String etag, String lastModified) {
}
