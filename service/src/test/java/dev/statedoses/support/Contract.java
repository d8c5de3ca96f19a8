package dev.statedoses.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import io.restassured.filter.Filter;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The API contract, openapi.yaml at the repository's root, as a rest-assured filter: every
 * response a functional test receives must match it, so the contract and the code cannot drift.
 * An answer that is not an error must also come from an operation the contract has: the response
 * check alone passes an answer of a method or path the contract leaves out (it counts that as a
 * wrong request, which tests send on purpose), so a preflight listed under the wrong path went
 * unnoticed.
 */
public final class Contract {

    private Contract() {
    }

    private static final class Holder {
        static final Filter FILTER = create();
    }

    public static Filter filter() {
        return Holder.FILTER;
    }

    private static Filter create() {
        String spec = specification();
        OpenApiValidationFilter responses = new OpenApiValidationFilter(OpenApiInteractionValidator
            .createForSpecificationUrl(spec)
            // Merge allOf parts before checking, so a SourceProblem (Problem + source fields)
            // is one object and not two that each reject the other's fields.
            .withResolveCombinators(true)
            .withLevelResolver(LevelResolver.create()
                // Tests send wrong requests on purpose (unknown paths, bad values, no token):
                // only what the service answers is held to the contract.
                .withLevel("validation.request", ValidationReport.Level.IGNORE)
                .build())
            .build());
        OpenApiInteractionValidator operations = OpenApiInteractionValidator
            .createForSpecificationUrl(spec)
            .withLevelResolver(LevelResolver.create()
                .withLevel("validation.request", ValidationReport.Level.IGNORE)
                .withLevel("validation.request.path.missing", ValidationReport.Level.ERROR)
                .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.ERROR)
                .build())
            .build();
        return (request, response, context) -> {
            Response answer = responses.filter(request, response, context);
            if (answer.statusCode() < 400) {
                // The contract lists GET only: "every GET operation below also answers HEAD".
                Request asked = RestAssuredRequest.of(request);
                Request.Method method = asked.getMethod() == Request.Method.HEAD ? Request.Method.GET : asked.getMethod();
                ValidationReport report = operations.validateRequest(
                    new SimpleRequest.Builder(method, asServed(asked.getPath())).build());
                if (report.hasErrors()) {
                    throw new AssertionError(asked.getMethod() + " " + asked.getPath() + " was answered "
                        + answer.statusCode() + ", but the contract has no such operation: " + report.getMessages());
                }
            }
            return answer;
        };
    }

    /**
     * The path as the server routes it: empty and {@code .} segments dropped, {@code ..} taking
     * the one before it away (as Jetty does), no trailing slash (as Javalin ignores it). A fuzz
     * test's {@code /ratios//NY} is {@code /ratios/NY} to both. A fragment ({@code #} on) never
     * leaves the client, and a query ({@code ?} on) is not the path: a fuzz test's raw key
     * {@code #9l+V/R} asks for {@code /ratios/}, which is answered 200.
     */
    private static String asServed(String path) {
        int fragment = path.indexOf('#');
        String sent = fragment < 0 ? path : path.substring(0, fragment);
        int query = sent.indexOf('?');
        String routed = query < 0 ? sent : sent.substring(0, query);
        java.util.Deque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : routed.split("/")) {
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }

    private static String specification() {
        Path spec = Path.of("..", "openapi.yaml").toAbsolutePath().normalize(); // tests run in service/
        if (!Files.isRegularFile(spec)) {
            throw new IllegalStateException("the API contract is not at " + spec);
        }
        return spec.toUri().toString();
    }
}
