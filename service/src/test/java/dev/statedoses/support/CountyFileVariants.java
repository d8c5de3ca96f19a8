package dev.statedoses.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Generated county files against one service (an {@link AppWithUpstream}, sources at /m.csv,
 * /p.csv and /c.csv): the fixture allocation files and a county file of the test's own are loaded
 * first; then each {@link Variant} is served as the county file and refreshed, and must either fail
 * naming its line, column and detail, leaving the product as it was, or load with the same
 * numbers. The test's own county file is loaded again after each.
 */
public final class CountyFileVariants {

    /** A generated county file; {@code line} the line to be named (null: it must load), in the text {@code detail}. */
    public record Variant(String name, List<String> lines, Long line, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final AppWithUpstream served;
    private final List<String> counties;
    private String product;

    /** For {@code served}, with {@code counties} (a header, then lines) as the file every variant is made from. */
    public CountyFileVariants(AppWithUpstream served, List<String> counties) {
        this.served = served;
        this.counties = List.copyOf(counties);
    }

    /** Serves the fixture allocation files and the county file, and refreshes: the product to compare with. */
    public void load() {
        served.upstream().serve("/m.csv", Fixtures.bytes("moderna.csv"));
        served.upstream().serve("/p.csv", Fixtures.bytes("pfizer.csv"));
        restore();
    }

    /**
     * Refreshes with {@code variant}: a 422 of the population source naming its line, {@code column}
     * and (after a colon) its detail, with the product left as it was; or, for a variant to load, a
     * 200 and the same numbers. Answers the problem (null for a variant that loads).
     */
    public JsonPath assertRefresh(Variant variant, String column) {
        serve(variant.lines());
        try {
            Response response = served.given().post("/refresh");
            String body = response.asString();
            if (variant.line() == null) {
                assertEquals(200, response.statusCode(), body);
                assertEquals(withoutTimes(product), withoutTimes(served.given().get("/ratios").asString()),
                    "only ids or names changed: the numbers are the file's");
                return null;
            }
            assertEquals(422, response.statusCode(), body);
            JsonPath problem = response.jsonPath();
            assertEquals("population", problem.getString("source"), body);
            assertEquals(variant.line(), problem.getLong("line"), body);
            assertEquals(column, problem.getString("column"), body);
            String detail = problem.getString("detail");
            assertTrue(detail.contains(": " + variant.detail()), "expected '" + variant.detail() + "', got: " + detail);
            assertEquals(product, served.given().get("/ratios").asString(), "the product changed");
            return problem;
        } finally {
            restore();
        }
    }

    /** Refreshes with {@code lines} as the county file: it must load (its numbers are its own); then the test's file again. */
    public void loads(List<String> lines) {
        serve(lines);
        try {
            served.given().post("/refresh").then().statusCode(200);
        } finally {
            restore();
        }
    }

    /** Serves {@code lines} as the county file, each ended by a line feed. */
    public void serve(List<String> lines) {
        served.upstream().serve("/c.csv", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The product as loaded from the test's own county file. */
    public String product() {
        return product;
    }

    /** The test's own county file again, refreshed: the product the next variant is compared with. */
    public void restore() {
        serve(counties);
        served.given().post("/refresh").then().statusCode(200);
        product = served.given().get("/ratios").asString();
    }

    /** The answer of GET /ratios without its refreshed_at times. */
    public static String withoutTimes(String json) {
        return json.replaceAll("\"refreshed_at\":\"[^\"]*\"", "");
    }
}
