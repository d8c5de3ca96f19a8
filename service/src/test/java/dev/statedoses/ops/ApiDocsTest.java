package dev.statedoses.ops;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppOnNewDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract as the repository has it, and a reference page that loads only what the service serves. */
class ApiDocsTest {

    @RegisterExtension
    static final AppOnNewDatabase app = new AppOnNewDatabase();

    @Test
    void openapiYamlIsTheRepositorysContractByteForByte() throws Exception {
        byte[] contract = Files.readAllBytes(Path.of("..", "openapi.yaml")); // tests run in service/
        byte[] served = app.given().get("/openapi.yaml").then()
            .statusCode(200).contentType("application/yaml")
            .extract().asByteArray();
        assertArrayEquals(contract, served);
    }

    @Test
    void docsIsAPageThatLoadsOnlyTheServicesOwnFiles() {
        String page = app.given().get("/docs").then()
            .statusCode(200).contentType(startsWith("text/html"))
            .header("Content-Security-Policy", containsString("default-src 'self'"))
            .extract().asString();
        assertFalse(page.matches("(?s).*https?://.*"), "the page names another host:\n" + page);
        assertFalse(page.contains("//cdn") || page.contains("src=\"//") || page.contains("href=\"//"));

        List<String> references = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        while (m.find()) {
            references.add(m.group(1));
        }
        assertTrue(references.contains("/docs/assets/swagger-ui-bundle.js"), references.toString());
        assertTrue(references.contains("/docs/assets/swagger-ui.css"), references.toString());
        assertTrue(references.contains("/docs/assets/docs.js"), references.toString());
        for (String reference : references) {
            assertTrue(reference.startsWith("/") && !reference.startsWith("//"), "not local: " + reference);
            app.given().get(reference).then().statusCode(200);
        }
    }

    @Test
    void theInitialiserPointsAtTheServedContractAndNowhereElse() {
        String script = app.given().get("/docs/assets/docs.js").then()
            .statusCode(200).contentType(startsWith("text/javascript"))
            .extract().asString();
        assertTrue(script.contains("url: '/openapi.yaml'"), script);
        assertTrue(script.contains("validatorUrl: null"), "no badge from the public validator");
        assertFalse(script.matches("(?s).*https?://.*"), script);
    }

    @Test
    void assetsHaveTheirContentTypes() {
        app.given().get("/docs/assets/swagger-ui-bundle.js").then()
            .statusCode(200).contentType(startsWith("text/javascript"))
            .body(containsString("SwaggerUIBundle"));
        app.given().get("/docs/assets/swagger-ui.css").then().statusCode(200).contentType(startsWith("text/css"));
        app.given().get("/docs/assets/favicon-32x32.png").then().statusCode(200).contentType("image/png");
    }

    @Test
    void onlyTheListedAssetsAreServed() {
        for (String path : new String[] {"/docs/assets/index.html", "/docs/assets/swagger-initializer.js",
                "/docs/assets/oauth2-redirect.html", "/docs/assets/..%2F..%2Fopenapi%2Fopenapi.yaml"}) {
            int status = app.given().urlEncodingEnabled(false).get(path).statusCode();
            assertTrue(status == 404 || status == 400, path + " answered " + status);
        }
        app.given().get("/docs/assets/nope.js").then()
            .statusCode(404).contentType("application/problem+json")
            .body("status", equalTo(404));
        assertEquals(404, app.given().get("/docs/assets/").statusCode());
    }
}
