package dev.statedoses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.LoadedProduct;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HEAD answers as GET does, without the body; a 405 names the methods its path takes. */
class HttpMethodsTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @ParameterizedTest(name = "HEAD {0} = GET {0} ({1}), no body")
    @CsvSource({
        "/ratios,              200",
        "/ratios/NY,           200",
        "/ratios/New%20York,   200",
        "/ratios/XX,           404",
        "/ratios/NY/weekly,    200",
        "/ratios/weekly,       200",
        "/ratios/weekly?state=PR, 404",
        "/ratios/NY?as_of=2021-13-01, 400",
        "/ratios?nope=1,       400",
        "/ratios/weekly?from=2021-01-01&from=2021-02-01, 400",
        "/refreshes,           200",
        "/refreshes/1,         200",
        "/refreshes/999,       404",
        "/health,              200",
        "/openapi.yaml,        200",
        "/,                    200",
        "/dashboard/nope.js,   404",
        "/nope,                404",
    })
    void headIsGetWithoutTheBody(String path, int status) {
        Response get = loaded.given().urlEncodingEnabled(false).get(path);
        Response head = loaded.given().urlEncodingEnabled(false).head(path);
        assertEquals(status, get.statusCode(), get.asString());
        assertEquals(status, head.statusCode());
        assertArrayEquals(new byte[0], head.asByteArray(), "HEAD " + path + " sent a body");
        for (String header : List.of("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Vary",
                "X-Content-Type-Options", "Content-Security-Policy")) {
            assertEquals(get.header(header), head.header(header), header + " of HEAD " + path);
        }
    }

    @ParameterizedTest(name = "{0} {1}: 405, Allow: {2}")
    @CsvSource({
        "DELETE, /ratios,             'GET, HEAD, OPTIONS'",
        "POST,   /ratios/NY,          'GET, HEAD, OPTIONS'",
        "PUT,    /health,             'GET, HEAD, OPTIONS'",
        "DELETE, /metrics,            'GET, HEAD'",
        "GET,    /refresh,            POST",
        "DELETE, /refresh,            POST",
    })
    void aWrongMethodIsA405NamingTheRightOnes(String method, String path, String allow) {
        Response answer = loaded.given().request(method, path);
        assertEquals(405, answer.statusCode(), answer.asString());
        assertEquals(allow, answer.header("Allow"));
        assertEquals("application/problem+json", answer.contentType().split(";")[0]);
        assertEquals("/problems/http-405", answer.jsonPath().getString("type"));
    }
}
