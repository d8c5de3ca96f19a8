package dev.statedoses.web;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A request's method is the one its request line sends, whatever its headers say.
 *
 * <p>Javalin reads {@code X-HTTP-Method-Override}, for any method, as the method to route by: a
 * {@code GET /refresh} with {@code X-HTTP-Method-Override: POST} ran a refresh (a GET, which
 * crawlers, prefetchers and caches take for safe), a {@code POST /ratios} read the product where
 * the contract answers 405, and a HEAD was answered otherwise than its GET, which the fast path
 * answered by the request line. The routes, the request log and the metric now see the request
 * without that header, as if it had never been sent; no client of ours sends it.
 */
public final class SentMethod extends Handler.Wrapper {

    /** The header Javalin's {@code Context.method()} reads before the request line's method. */
    static final String OVERRIDE = "X-HTTP-Method-Override";

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!request.getHeaders().contains(OVERRIDE)) {
            return super.handle(request, response, callback);
        }
        HttpFields without = HttpFields.build(request.getHeaders()).remove(OVERRIDE).asImmutable();
        return super.handle(new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
                return without;
            }
        }, response, callback);
    }
}
