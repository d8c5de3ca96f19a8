package dev.statedoses.dashboard;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppOnNewDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's page and files over HTTP, no browser needed: served by the service itself under
 * a strict Content-Security-Policy, nothing else from its folder, and not sent again unchanged.
 * What the page does in a browser: DashboardBrowserTest, DashboardRefreshBrowserTest.
 */
class DashboardFilesTest {

    @RegisterExtension
    static final AppOnNewDatabase app = new AppOnNewDatabase();

    @Test
    void thePageAndItsFilesComeFromTheServiceWithAStrictPolicy() {
        String page = app.given().get("/").then()
            .statusCode(200).contentType(startsWith("text/html"))
            .header("Content-Security-Policy", startsWith("default-src 'self';"))
            .header("X-Content-Type-Options", "nosniff")
            .extract().asString();
        assertFalse(page.matches("(?s).*https?://.*"), "the page names another host");
        assertFalse(page.contains("<style") || page.contains(" style=") || page.matches("(?s).*<script>.*"),
            "inline styles or scripts would break under the policy");

        List<String> references = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        while (m.find()) {
            references.add(m.group(1));
        }
        assertTrue(references.containsAll(List.of("/dashboard/dashboard.css", "/dashboard/dashboard.js",
            "/dashboard/icon.svg")), references.toString());
        for (String reference : references) {
            if (reference.startsWith("#")) {
                continue; // the skip link, within the page
            }
            assertTrue(reference.startsWith("/") && !reference.startsWith("//"), "not local: " + reference);
            String path = reference.replaceFirst("[?#].*", "");
            app.given().get(path).then().statusCode(200);
        }
        app.given().get("/dashboard/dashboard.js").then()
            .contentType("text/javascript; charset=utf-8")
            .header("Content-Security-Policy", startsWith("default-src 'self';"));
        app.given().get("/dashboard/dashboard.css").then().contentType("text/css; charset=utf-8");
        app.given().get("/dashboard/icon.svg").then().contentType("image/svg+xml");
    }

    /** The contract lists the dashboard's files by name: exactly those the page loads, each served. */
    @Test
    void theContractNamesEveryFileThePageLoads() throws Exception {
        String contract = Files.readString(Path.of("..", "openapi.yaml")); // tests run in service/
        Matcher listed = Pattern.compile("DashboardFile:.*?enum: \\[([^\\]]*)\\]", Pattern.DOTALL).matcher(contract);
        assertTrue(listed.find(), "openapi.yaml has no enum for the parameter DashboardFile");
        Set<String> inContract = new TreeSet<>(List.of(listed.group(1).split(",\\s*")));

        String page = app.given().get("/").then().statusCode(200).extract().asString();
        Set<String> loaded = new TreeSet<>();
        Matcher m = Pattern.compile("(?:src|href)=\"/dashboard/([^\"?#]+)").matcher(page);
        while (m.find()) {
            loaded.add(m.group(1));
        }
        assertEquals(loaded, inContract);
        for (String file : inContract) {
            app.given().get("/dashboard/" + file).then().statusCode(200);
        }
    }

    @Test
    void onlyTheAllowedFilesAreServed() {
        for (String path : List.of("/dashboard/index.html", "/dashboard/Dashboard.class", "/dashboard/state-doses.properties",
            "/dashboard/..%2Fstate-doses.properties", "/dashboard/%2e%2e%2fsql%2fbuild_state_doses.sql", "/dashboard/")) {
            int status = app.given().urlEncodingEnabled(false).get(path).statusCode();
            assertTrue(status == 404 || status == 400, path + " answered " + status);
        }
    }

    @Test
    void anUnchangedFileIsNotSentAgain() {
        String etag = app.given().get("/dashboard/dashboard.js").then().statusCode(200)
            .header("Cache-Control", "no-cache").extract().header("ETag");
        app.given().header("If-None-Match", etag).get("/dashboard/dashboard.js").then()
            .statusCode(304).body(emptyString());
        app.given().header("If-None-Match", "\"other\"").get("/dashboard/dashboard.js").then().statusCode(200);
        String page = app.given().get("/").header("ETag");
        app.given().header("If-None-Match", page).get("/").then().statusCode(304);
    }
}
