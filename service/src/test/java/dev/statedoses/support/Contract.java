package dev.statedoses.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import io.restassured.filter.Filter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The API contract, openapi.yaml at the repository's root, as a rest-assured filter: every
 * response a functional test receives must match it, so the contract and the code cannot drift.
 */
public final class Contract {

    private Contract() {
    }

    private static final class Holder {
        static final OpenApiValidationFilter FILTER = create();
    }

    public static Filter filter() {
        return Holder.FILTER;
    }

    private static OpenApiValidationFilter create() {
        Path spec = Path.of("..", "openapi.yaml").toAbsolutePath().normalize(); // tests run in service/
        if (!Files.isRegularFile(spec)) {
            throw new IllegalStateException("the API contract is not at " + spec);
        }
        OpenApiInteractionValidator validator = OpenApiInteractionValidator
            .createForSpecificationUrl(spec.toUri().toString())
            // Merge allOf parts before checking, so a SourceProblem (Problem + source fields)
            // is one object and not two that each reject the other's fields.
            .withResolveCombinators(true)
            .withLevelResolver(LevelResolver.create()
                // Tests send wrong requests on purpose (unknown paths, bad values, no token):
                // only what the service answers is held to the contract.
                .withLevel("validation.request", ValidationReport.Level.IGNORE)
                .build())
            .build();
        return new OpenApiValidationFilter(validator);
    }
}
