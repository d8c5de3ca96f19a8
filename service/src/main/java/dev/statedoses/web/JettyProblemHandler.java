package dev.statedoses.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty rejects before they reach the routes (a malformed percent-encoding,
 * a URI or headers too large) with a problem detail too, instead of Jetty's HTML page: one error
 * shape everywhere, and no server details. Jetty closes the connection after such an answer, and
 * the answer says so ({@code Connection: close}); a HEAD gets the headers without the problem,
 * where Jetty could still tell it was a HEAD.
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
        byte[] body = json.writeValueAsBytes(problem.body());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        // An answer from here follows a request Jetty rejected, or a failure outside the routes:
        // the connection ends after it (Jetty ends it after a rejection anyway), and says so.
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        if (HttpMethod.HEAD.is(request.getMethod())) {
            // Jetty writes what it is given, even to a HEAD, at this stage: the GET's headers, its
            // length among them, and no body (RFC 9110, 9.3.2).
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, null, callback);
            return true;
        }
        // A request Jetty could not read up to its target (a malformed escape, a NUL, a target
        // over its limit) comes here as method "BAD": whether it was a HEAD cannot be known, so it
        // is answered as a GET would be, and a HEAD client, reading no body, finds the connection
        // closed after it rather than taking the problem for its next answer.
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
