package dev.statedoses.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty rejects before they reach the routes (a malformed percent-encoding,
 * a URI or headers too large) with a problem detail too, instead of Jetty's HTML page: one error
 * shape everywhere, and no server details.
 */
public final class JettyProblemHandler implements Request.Handler {

    private final ObjectMapper json;

    public JettyProblemHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        String reason = HttpStatus.getMessage(status);
        Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        String detail = message instanceof String text && !text.isBlank() ? text : reason;
        Problem problem = Problem.of(status, "http-" + status, reason, detail);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(json.writeValueAsBytes(problem.body())), callback);
        return true;
    }
}
