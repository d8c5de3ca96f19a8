package dev.statedoses.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /health/live} answered in Jetty itself, as the snapshot's fast path answers, in
 * front of Javalin's routes and the limit on them (web.ServerLimits): the probe needs no route
 * slot, and its write never blocks a thread. So it answers while routes are full of clients that
 * do not read. The same answer as the route ({@link Probes#live()}), which still answers HEAD and
 * a query string.
 */
public final class LiveProbe extends Handler.Wrapper {

    private static final String PATH = "/health/live";

    private final Probes probes;
    private final ObjectMapper json;

    public LiveProbe(Probes probes, ObjectMapper json) {
        this.probes = probes;
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"GET".equals(request.getMethod()) || !PATH.equals(request.getHttpURI().getPath())
            || request.getHttpURI().getQuery() != null) {
            return super.handle(request, response, callback);
        }
        byte[] body = body();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        EveryResponse.answered(request, "GET", PATH);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private byte[] body() throws JsonProcessingException {
        return json.writeValueAsBytes(probes.live());
    }
}
