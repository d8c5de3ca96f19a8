package dev.statedoses.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.RawHttp;
import dev.statedoses.support.RawHttp.Answer;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The method is the request line's: {@code X-HTTP-Method-Override}, which Javalin read as the
 * method to route by, changes nothing (web.SentMethod). Before, {@code GET /refresh} with
 * {@code X-HTTP-Method-Override: POST} ran a refresh, {@code POST /ratios} with {@code GET} read
 * the product, and a HEAD with {@code PUT} was a 405 where its GET, answered by the fast path,
 * was a 200.
 */
class SentMethodTest {

    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    private static final List<String> PATHS = List.of("/ratios", "/ratios/NY", "/ratios/weekly", "/ratios/NY/weekly",
        "/refreshes", "/refreshes/1", "/refresh", "/health", "/health/live", "/health/ready", "/metrics",
        "/openapi.yaml", "/", "/nothing-here");

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    @Test
    void everyAnswerIsTheOneWithoutTheHeaderAndNoGetRunsARefresh() throws IOException {
        RawHttp raw = RawHttp.to(empty.app());
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (String path : PATHS) {
            for (String method : METHODS) {
                if (method.equals("POST") && path.equals("/refresh")) {
                    continue; // the one request that runs a refresh, with or without the header
                }
                Answer plain = raw.send(method, path, List.of());
                for (String override : METHODS) {
                    Answer overridden = raw.send(method, path, List.of("X-HTTP-Method-Override: " + override));
                    compared++;
                    if (plain.status() != overridden.status()
                            || !String.valueOf(plain.header("Allow")).equals(String.valueOf(overridden.header("Allow")))
                            || !String.valueOf(plain.header("Content-Type"))
                                .equals(String.valueOf(overridden.header("Content-Type")))) {
                        wrong.add(method + " " + path + " with " + override + ": " + overridden.statusLine() + " Allow "
                            + overridden.header("Allow") + ", without it " + plain.statusLine() + " Allow "
                            + plain.header("Allow"));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + compared + " answers changed by the header");
        // No request above may have run a refresh: the run log is as empty as the database.
        Answer runs = raw.get("/refreshes");
        assertEquals(200, runs.status(), runs.statusLine());
        assertEquals(List.of(), JsonPath.from(runs.body()).getList("$"));
    }

    @Test
    void aGetOfRefreshWithTheHeaderIsTheGetsOwn405() throws IOException {
        Answer answer = RawHttp.to(empty.app()).send("GET", "/refresh", List.of("X-HTTP-Method-Override: POST"));
        assertEquals(405, answer.status(), answer.statusLine());
        assertEquals("POST", answer.header("Allow"));
    }
}
