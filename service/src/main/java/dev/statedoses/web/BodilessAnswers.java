package dev.statedoses.web;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The headers of the two answers without content, as RFC 9110 wants them, whoever writes them
 * (a Javalin route, the snapshot's fast path, a static file).
 *
 * <ul>
 * <li>A 304 (section 15.4.5) carries the headers its 200 would, and no Content-Length but the
 * 200's. Jetty, committing an answer with its last write, writes the length of what was written:
 * {@code Content-Length: 0}, which a cache could take for the length of the body it holds. So a
 * 304 is committed first, then ended: it goes without a Content-Length, which is right.</li>
 * <li>A 204 (section 15.3.5) has no content, so no Content-Type either; Javalin gives every
 * answer its default {@code text/plain} (an {@code OPTIONS} preflight's 204 too).</li>
 * </ul>
 */
public final class BodilessAnswers extends Response.Wrapper {

    public BodilessAnswers(Request request, Response wrapped) {
        super(request, wrapped);
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
        if (!isCommitted()) {
            int status = getStatus();
            if (status == 204) {
                getHeaders().remove(HttpHeader.CONTENT_TYPE);
            } else if (status == 304) {
                HttpFields.Mutable headers = getHeaders();
                HttpField length = headers.getField(HttpHeader.CONTENT_LENGTH);
                if (length != null && "0".equals(length.getValue().strip())) {
                    headers.remove(HttpHeader.CONTENT_LENGTH);
                }
                if (last && headers.getField(HttpHeader.CONTENT_LENGTH) == null) {
                    // Committed by a write that is not the last, the answer keeps no length of its own.
                    Response answer = getWrapped();
                    answer.write(false, null, Callback.from(() -> answer.write(true, content, callback),
                        callback::failed));
                    return;
                }
            }
        }
        super.write(last, content, callback);
    }
}
