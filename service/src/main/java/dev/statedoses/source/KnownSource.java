package dev.statedoses.source;

import dev.statedoses.text.Redaction;
import java.net.URI;

/**
 * What the last good refresh saw of a source at the same URL (a pre-signed one may have been
 * signed again since: {@code Redaction.sameSource}): the hash of its bytes, the validators its
 * upstream sent ({@code ETag}, {@code Last-Modified}; null when it sent none), and where they came
 * from ({@code answeredAt}: the URL a redirect led to, redacted; null for the source's own URL). A
 * fetch sends the validators back (If-None-Match, If-Modified-Since), so an upstream whose source
 * has not changed can answer 304 without a body.
 */
public record KnownSource(String sha256, String etag, String lastModified, String answeredAt) {

    /**
     * Whether a request to {@code at}, reached after {@code followed} redirects, is to the
     * resource the validators came from, and so may carry them. An entity-tag or a date says
     * something only of the resource that sent it (RFC 9110, 8.8): sent to a redirect's new
     * target, a tag that happens to be that resource's too would be answered 304, and other bytes
     * taken for the ones kept.
     */
    boolean validatorsFrom(URI at, int followed) {
        return answeredAt == null ? followed == 0 : Redaction.sameSource(answeredAt, at);
    }
}
