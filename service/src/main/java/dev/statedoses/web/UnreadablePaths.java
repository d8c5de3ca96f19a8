package dev.statedoses.web;

import dev.statedoses.text.PercentDecoding;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A path whose percent-encoding cannot be read is a 400, wherever in the path it is, before any
 * route sees it.
 *
 * <p>Jetty rejects a malformed escape in a path segment itself, but not in the parts it does not
 * decode: a segment's parameters after a {@code ;} ({@code /ratios/NY;%ZZ}) and its own
 * {@code %u0041} form, which it reads as UTF-16. Javalin then decoded the raw path for
 * {@code {state}} (and for its 404 and 405) with {@link java.net.URLDecoder}, which threw: a 500
 * and a stack trace in the log for any such path, on every route. Here the whole path is read as
 * {@link PercentDecoding} reads a query, and what it refuses is answered as Jetty answers its own
 * rejections (its error handler, {@link JettyProblemHandler}), so the answer does not depend on
 * which of the two noticed.
 */
public final class UnreadablePaths extends Handler.Wrapper {

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path == null || path.isEmpty()) {
            if (HttpMethod.CONNECT.is(request.getMethod())) {
                return super.handle(request, response, callback); // an authority, no path: the routes' 405
            }
            // No path at all: "OPTIONS ?x" (Jetty refuses it for the other methods, "Bad URI
            // path"), which Jetty's context then redirected to "//?x" with a 301.
            Response.writeError(request, response, callback, 400, "the request's target has no path: it must start with /");
            return true;
        }
        if (path.indexOf('%') >= 0) {
            try {
                PercentDecoding.decode(path, false);
            } catch (PercentDecoding.Malformed e) {
                Response.writeError(request, response, callback, 400, "the path is not percent-encoded correctly: "
                    + e.reason());
                return true;
            }
        }
        return super.handle(request, response, callback);
    }
}
